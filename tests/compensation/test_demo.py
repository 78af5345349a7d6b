"""The demo seed for compensation runs on the shared fixtures and is idempotent."""

from __future__ import annotations

from northstar.compensation import demo
from northstar.compensation.models import Claim, Disbursement, SavedCalculation
from northstar.survivors import actions


def test_demo_seed_creates_claims_fund_and_alerts_once(users, survivor_a, caseworker, actor_for):
    actor = actor_for(caseworker)
    actions.create_case(actor, survivor_a, data={"forms_of_exploitation": ["labour"],
                                                 "coercion": "low",
                                                 "relationship_to_offender": "stranger"})
    actions.create_case(actor, survivor_a, data={"forms_of_exploitation": ["labour"],
                                                 "coercion": "low",
                                                 "relationship_to_offender": "stranger"})
    context = {"users": {"caseworker.th": caseworker,
                         "supervisor.th": users[("a", "supervisor")]}}
    demo.seed(context)
    assert SavedCalculation.objects.count() == 1
    routes = set(Claim.objects.values_list("route", flat=True))
    assert routes == {"criminal_restitution", "out_of_court_mediation"}
    assert Disbursement.objects.count() == 2  # one per labour case: two here
    court = Claim.objects.get(route="criminal_restitution")
    assert court.instalments.filter(alerts__isnull=False).exists()  # two overdue instalments
    demo.seed(context)
    assert Claim.objects.count() == 2
