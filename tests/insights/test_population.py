"""The insights benchmark's synthetic population (``manage.py insights_population``), at a tiny
size: consistent enough that figures counted over it mean something."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from northstar.compensation.models import Claim, Payment
from northstar.core.fields import Sealed
from northstar.core.models import Organisation
from northstar.justice.models import TimelineEvent
from northstar.pathways.models import PlanItem, PlanStatusChange, Priorities
from northstar.survivors.consent import flows_q, may_flow
from northstar.survivors.models import Case, Consent, Survivor

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = io.StringIO()
    call_command("insights_population", stdout=out, **{
        "cases": 400, "organisations": 6, "jurisdictions": 3, "batch": 150, **options})
    return out.getvalue()


def test_every_case_belongs_to_an_organisation_in_one_of_the_jurisdictions():
    generate()
    orgs = Organisation.objects.filter(code__startswith="IP")
    assert orgs.count() == 6
    places = set(orgs.values_list("jurisdiction", flat=True))
    assert len(places) == 3
    cases = Case.objects.filter(organisation__in=orgs)
    assert cases.count() == 400
    for case in cases.select_related("survivor", "organisation"):
        assert case.organisation.jurisdiction in places
        assert case.jurisdiction == case.organisation.jurisdiction
        assert case.survivor.organisation_id == case.organisation_id


def test_sizes_are_skewed_so_small_cells_exist():
    generate()
    sizes = sorted(Case.objects.values("organisation").annotate(n=Count("id"))
                   .values_list("n", flat=True))
    assert sizes[-1] >= 4 * sizes[0]
    assert sizes[0] < 40


def test_a_survivor_without_statistics_consent_is_not_counted_by_the_consent_gate():
    generate()
    survivors = Survivor.objects.filter(organisation__code__startswith="IP")
    counted = set(survivors.filter(flows_q("statistics")).values_list("pk", flat=True))
    without = survivors.exclude(pk__in=counted)
    # most may be counted, some may not: both kinds exist, as the figures need
    assert 0.6 * 400 < len(counted) < 400
    assert without.exists()
    # some of the uncounted have another consent (so a gate on "any consent" would be wrong)
    assert Consent.objects.filter(survivor__in=without, purpose="case_management").exists()
    for survivor in survivors.order_by("pk")[:120]:
        assert bool(may_flow(survivor, "statistics")) == (survivor.pk in counted)


def test_plans_timelines_and_claims_hang_together():
    generate()
    cases = Case.objects.filter(organisation__code__startswith="IP")
    items = PlanItem.objects.filter(case__in=cases)
    assert items.filter(status="delivered").exists()
    for item in items.order_by("pk")[:200]:
        history = list(PlanStatusChange.objects.filter(item=item).order_by("changed_at", "id")
                       .values_list("status", flat=True))
        assert history[0] == "proposed"
        assert history[-1] == item.status
    ranked = Priorities.objects.filter(case__in=cases)
    assert ranked.exists()
    assert all(sorted(p.ranking) == sorted(["monetary_support", "healing",
                                            "safety_self_and_others"]) for p in ranked)
    kinds = set(TimelineEvent.objects.filter(case__in=cases).values_list("kind", flat=True))
    assert {"identification_decision", "interview"} <= kinds
    hearings = TimelineEvent.objects.filter(case__in=cases, kind="hearing")
    assert not hearings.exclude(case__trial_participation="yes").exists()
    assert Claim.objects.filter(case__in=cases, status="paid_in_full").exists() or \
        Claim.objects.filter(case__in=cases).count() < 40
    for payment in Payment.objects.filter(claim__case__in=cases).select_related("claim"):
        assert payment.claim.amount_awarded is not None
        assert payment.received_on >= payment.claim.decided_on


def test_names_are_sealed_and_the_duplicate_key_is_set():
    generate(cases=30)
    survivor = Survivor.objects.filter(organisation__code__startswith="IP").first()
    assert isinstance(survivor.given_name, Sealed)
    assert survivor.given_name.reveal()
    with_birth = Survivor.objects.filter(organisation__code__startswith="IP").exclude(
        date_of_birth="")
    assert all(s.duplicate_key for s in with_birth)


def test_running_it_again_adds_nothing_and_ids_keep_counting():
    generate(cases=50)
    assert "nothing to add" in generate(cases=50)
    assert Case.objects.filter(organisation__code__startswith="IP").count() == 50
    generate(cases=80)
    assert Case.objects.filter(organisation__code__startswith="IP").count() == 80
