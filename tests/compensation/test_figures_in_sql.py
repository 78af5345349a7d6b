"""The organisation's compensation figures are aggregates asked of the database; they must
say exactly what the per-claim Python arithmetic (``figures.organisation_figures`` over
``claim_facts``) said of the same claims, on a population with every route, status,
currency, superseded schedule and payment pattern."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from northstar.compensation import figures, reports
from northstar.compensation.claims import claim_facts
from northstar.compensation.models import Claim
from northstar.core import disclosure
from northstar.survivors.consent import may_flow
from tests import populations
from tests.conftest import PASSWORD


def python_figures(claims, as_of):
    """The figures as the organisation report worked them out before: every claim, its
    payments and instalments read into Python."""
    facts = [claim_facts(c) for c in claims.prefetch_related("payments", "instalments")]
    return figures.organisation_figures(facts, as_of)


@pytest.fixture
def population(caseworker, actor_for):
    return populations.build(actor_for(caseworker), 21)


@pytest.mark.parametrize("days", [0, -250, 400])
def test_the_figures_asked_of_the_database_equal_the_python_arithmetic(population, days):
    as_of = timezone.localdate() + dt.timedelta(days=days)
    claims = Claim.objects.all()
    in_sql = reports.figures_in_sql(claims, as_of)
    assert in_sql == python_figures(claims, as_of)
    if days == 0:
        # The population exercises what is compared: money in two currencies, instalments
        # both on time and late, medians over odd and even counts, obligations judged.
        everything = in_sql["all"]
        assert set(everything["money"]) == {"THB", "USD"}
        assert 0 < everything["instalments_on_time"] < everything["instalments_due"]
        assert 0 < everything["obligations_paid_in_full"] <= everything["obligations_fully_due"]
        assert everything["median_days_filing_to_first_payment"] is not None
        assert len({g["claims"] % 2 for g in in_sql["by_route"].values()}) == 2


def test_a_researcher_counts_only_consenting_survivors_as_before(population, users):
    """The restricted figures: the consent filter in SQL keeps the claims ``may_flow`` keeps."""
    researcher = users[("a", "researcher")]
    from northstar.core.actor import Actor

    actor = Actor.for_user(researcher, "web")
    as_of = timezone.localdate()
    counted = reports.organisation_claims(actor)
    every = Claim.objects.filter(case__survivor__organisation=actor.organisation)
    assert set(counted) == {c for c in every.select_related("case__survivor")
                            if may_flow(c.case.survivor, "statistics")}
    assert 0 < counted.count() < every.count()
    report = reports.organisation_report(actor, as_of=as_of)
    expected = python_figures(counted, as_of)
    people = {route: len({c.case.survivor_id for c in counted if c.route == route})
              for route in figures.ROUTES}
    for route, group in report["by_route"].items():
        if route in disclosure.hidden_cells(people):
            assert group["suppressed"] is True
        else:
            assert group == expected["by_route"][route]


def test_the_figures_table_reads_awarded_before_received_as_its_heading_says(
        supervisor, actor_for, case_a):
    """Issue 14: the column says "Awarded or agreed / received" and printed received first."""
    Claim.objects.create(case=case_a, route="civil_suit", status="awarded", payer="employer",
                         currency="THB", amount_claimed=900, amount_awarded=900)
    client = Client()
    assert client.login(username=supervisor.username, password=PASSWORD)
    page = client.get("/compensation/figures/").content.decode()
    assert "Awarded or agreed / received" in page
    assert "900.00 / 0.00 THB" in page
    assert "Civil suit" in page and ">civil_suit<" not in page


@pytest.mark.parametrize("role", ["supervisor", "researcher"])
def test_an_archived_survivor_with_a_live_case_and_an_archived_case_leave_the_figures(
        population, other_caseworker, users, actor_for, caseworker, role):
    """The claims counted read the organisation and the survivor's archived state from the
    case's kept copies, not from the survivor: they must be exactly the claims a
    record-by-record look at each claim's case and survivor keeps, once a survivor whose
    cases stay live is archived, a case of another is archived, and another organisation
    has claims of its own."""
    from northstar.core.actor import Actor
    from northstar.survivors import actions

    populations.build(actor_for(other_caseworker), 5, seed=3)
    worker = actor_for(caseworker)
    with_claims = [c for c in population if Claim.objects.filter(case=c).exists()
                   and may_flow(c.survivor, "statistics")]
    gone = with_claims[0].survivor
    actions.archive_survivor(worker, gone)
    other = next(c for c in with_claims if c.survivor_id != gone.pk)
    actions.archive_case(worker, other)

    actor = Actor.for_user(users[("a", role)], "web")
    restricted = role == "researcher"
    kept = {c for c in Claim.objects.select_related("case__survivor")
            if c.case.survivor.organisation_id == actor.organisation.pk
            and c.case.archived_at is None and c.case.survivor.archived_at is None
            and (not restricted or may_flow(c.case.survivor, "statistics"))}
    counted = reports.organisation_claims(actor)
    assert set(counted) == kept
    assert not any(c.case.survivor_id == gone.pk or c.case_id == other.pk for c in kept)
    assert Claim.objects.filter(case__survivor=gone).exists()
    as_of = timezone.localdate()
    assert reports.figures_in_sql(counted, as_of) == python_figures(
        Claim.objects.filter(pk__in=[c.pk for c in kept]), as_of)
