"""The survivor's plan, rights and money pages read the other apps' records, in plain words."""

import datetime as dt

import pytest
from django.utils import timezone

from northstar.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(caseworker, actor_for):
    return actor_for(caseworker)


def test_the_plan_shows_each_item_in_plain_words_and_the_survivors_ranking(
        survivor_a, case_a, staff, portal_client):
    from northstar.pathways import actions as pathways

    pathways.set_priorities(staff, case_a, ranking=["safety_self_and_others", "monetary_support",
                                                    "healing"], words="safe first")
    pathways.assess_case(staff, case_a)
    pathways.add_plan_item(staff, case_a, intervention="trauma_informed_support")
    client = portal_client(survivor_a)
    client.get("/portal/language/en/")
    html = client.get("/portal/plan/").content.decode()
    assert 'id="plan-trauma_informed_support"' in html
    assert "trained to be patient and kind" in html
    assert "Suggested" in html  # status "proposed", in plain words
    ranking = html[html.index('id="outcome-ranking"'):]
    assert ranking.index("outcome-safety_self_and_others") < ranking.index("outcome-healing")
    assert "safe first" not in html  # sealed words stay sealed
    assert AuditEntry.objects.filter(note="viewed plan", survivor_ref=survivor_a.reference).exists()


def test_rights_show_where_the_survivor_is_now(survivor_a, case_a, staff, portal_client):
    from northstar.justice import actions as justice

    justice.record_event(staff, case_a, kind="stage_change", stage="reflection_period",
                         occurred_on=timezone.localdate() - dt.timedelta(days=2))
    client = portal_client(survivor_a)
    client.get("/portal/language/en/")
    html = client.get("/portal/rights/").content.decode()
    assert 'id="stage-now" data-stage="reflection_period"' in html
    assert "We will not push you to talk to the police during this time." in html
    assert "You will not be arrested or punished" not in html  # the law of TH says less
    assert "Minister of Justice can still allow a charge" in html


def test_money_shows_award_payments_and_next_instalment_in_the_survivors_language(
        survivor_a, case_a, staff, portal_client):
    from northstar.compensation import claims as comp

    today = timezone.localdate()
    claim = comp.create_claim(staff, case_a, route="labour_tribunal", payer="employer",
                              amount_claimed="60000", currency="THB",
                              filed_on=today - dt.timedelta(days=60))
    claim = comp.transition_claim(staff, claim, to="awarded", on=today - dt.timedelta(days=30),
                                  amount="45000")
    comp.set_schedule(staff, claim, instalments=[
        {"due_on": (today - dt.timedelta(days=10)).isoformat(), "amount": "15000"},
        {"due_on": (today + dt.timedelta(days=20)).isoformat(), "amount": "30000"}])
    comp.record_payment(staff, claim, received_on=today - dt.timedelta(days=9),
                        amount="15000", proof_reference="bank transfer 1")
    html = portal_client(survivor_a).get("/portal/money/").content.decode()  # Khmer
    assert "฿60,000.00" in html and "฿45,000.00" in html  # Khmer separators (CLDR)
    assert f'id="claim-{claim.pk}-received">฿15,000.00' in html
    assert f'id="claim-{claim.pk}-next"' in html and "฿30,000.00" in html
    assert "ការបង់ប្រាក់បានចាប់ផ្តើមហើយ" in html  # "Payments have started" (status paying)


def test_an_unpaid_instalment_whose_date_passed_is_shown_as_late_not_expected(
        survivor_a, case_a, staff, portal_client):
    from northstar.compensation import claims as comp

    today = timezone.localdate()
    claim = comp.create_claim(staff, case_a, route="labour_tribunal", payer="employer",
                              amount_claimed="60000", currency="THB",
                              filed_on=today - dt.timedelta(days=90))
    claim = comp.transition_claim(staff, claim, to="awarded", on=today - dt.timedelta(days=60),
                                  amount="30000")
    comp.set_schedule(staff, claim, instalments=[
        {"due_on": (today - dt.timedelta(days=10)).isoformat(), "amount": "15000"},
        {"due_on": (today + dt.timedelta(days=20)).isoformat(), "amount": "15000"}])
    client = portal_client(survivor_a)
    client.get("/portal/language/en/")
    html = client.get("/portal/money/").content.decode()
    due = (today - dt.timedelta(days=10))
    line = html[html.index(f'id="claim-{claim.pk}-next"') - 120:]
    assert "Payment late" in line[:400]
    assert "Next payment expected" not in html
    assert f'id="claim-{claim.pk}-next" data-overdue="true"' in html
    assert str(due.day) in line[:400]


def test_another_survivors_plan_and_claims_never_appear(survivor_a, case_a, staff,
                                                        portal_client, caseworker, actor_for):
    from northstar.compensation import claims as comp
    from northstar.survivors import actions as survivors

    other = survivors.create_survivor(staff, data={"birth_year": 1985})
    other_case = survivors.create_case(staff, other, data={"forms_of_exploitation": ["labour"]})
    comp.create_claim(staff, other_case, route="civil_suit", payer="employer",
                      amount_claimed="777777", currency="THB")
    html = portal_client(survivor_a).get("/portal/money/").content.decode()
    assert "777" not in html
    assert 'id="money-empty"' in html



def test_rights_show_the_dates_coming_up(survivor_a, case_a, staff, portal_client):
    from northstar.justice import actions as justice

    today = timezone.localdate()
    ends = today + dt.timedelta(days=20)
    justice.record_event(staff, case_a, kind="reflection_period_start",
                         occurred_on=today - dt.timedelta(days=10),
                         details={"ends_on": ends.isoformat()})
    client = portal_client(survivor_a)
    client.get("/portal/language/en/")
    html = client.get("/portal/rights/").content.decode()
    assert 'id="coming-up"' in html
    assert "Your time to rest and decide ends" in html
    assert f"{ends.day} " in html  # the end date, written out
    justice.record_event(staff, case_a, kind="reflection_period_end", occurred_on=today)
    assert 'id="coming-up"' not in client.get("/portal/rights/").content.decode()
