"""Calculator page, statement (screen and PDF), claim timeline, case panel and caseload alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from northstar.compensation import calculations, claims, mediations
from northstar.compensation.models import CompensationAlert, SavedCalculation
from northstar.compensation.views import statement_html
from northstar.core.models import AuditEntry
from tests.compensation.conftest import CALC, CALC_TOTAL


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "jurisdiction": "TH", "currency": "THB", "method": "statutory",
    "p0_start": "2025-06-01", "p0_end": "2025-07-31", "p0_days_worked": "61",
    "p0_hours_per_day": "12", "p0_normal_daily_hours": "8", "p0_agreed_daily_wage": "300",
    "p0_amount_paid": "9000", "p0_region": "Bangkok",
    "recruitment_fees": "15000", "medical_costs": "5000", "travel_costs": "3000",
}


def test_calculator_page_shows_the_itemised_statement(caseworker, case_a):
    client = logged_in(caseworker)
    url = reverse("compensation:calculator", args=[case_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "55230.00 THB" in html and "32230.00" in html
    assert "2025-06-01–2025-06-30" in html  # the split at the wage change
    assert not SavedCalculation.objects.exists()


def test_calculator_page_asks_for_missing_wage_data_on_the_field(caseworker, case_a):
    client = logged_in(caseworker)
    form = dict(FORM, p0_start="2024-01-01", p0_end="2024-06-30", p0_days_worked="150")
    response = client.post(reverse("compensation:calculator", args=[case_a.pk]), form)
    assert response.status_code == 422
    assert "enter the statutory daily wage" in response.content.decode()
    assert response.context["form"].errors["p0_statutory_daily_wage"]


def test_saving_from_the_page_and_downloading_the_pdf_is_audited_as_export(caseworker, case_a):
    client = logged_in(caseworker)
    response = client.post(reverse("compensation:calculator", args=[case_a.pk]),
                            dict(FORM, save="1", label="Six months at sea"))
    calc = SavedCalculation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "compensation:calculation", args=[calc.pk])
    page = client.get(reverse("compensation:calculation", args=[calc.pk]))
    assert page.status_code == 200 and CALC_TOTAL in page.content.decode()
    # The survivor prefers Khmer: offered where the catalogue translates the statement,
    # otherwise the page says so, so nobody hands over English thinking it is Khmer.
    from northstar.compensation.views import statement_translated

    if statement_translated("km"):
        assert 'href="?lang=km"' in page.content.decode()
    else:
        assert "not yet translated into" in page.content.decode()
        assert 'href="?lang=km"' not in page.content.decode()
    pdf = client.get(reverse("compensation:calculation_pdf", args=[calc.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(record_type="compensation_calculation",
                                     record_id=str(calc.pk), action="export").exists()


def test_the_pdf_is_built_from_html_showing_every_line_and_the_total(caseworker, case_a,
                                                                     actor_for):
    from northstar.compensation.statement import build_statement
    from northstar.compensation.views import _translated

    calc = calculations.save_calculation(actor_for(caseworker), case_a, data=CALC)
    result = calculations.open_calculation(actor_for(caseworker), calc)["result"]
    html = statement_html(_translated(build_statement(result, prepared_on=dt.date(2026, 1, 1))),
                          "en")
    assert CALC_TOTAL in html
    for line in result["lines"]:
        assert line["amount"] in html and line["formula"].split(":")[0] in html
        for source in line["sources"]:  # printed, not folded away
            assert source.split(" ")[0] in html
    assert "nationthailand.com" in html and "<details" not in html
    assert result["calculator_version"] in html and result["rule_set_version"] in html


def test_case_page_panel_shows_money_claimed_awarded_and_received(caseworker, case_a, actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, case_a, route="criminal_restitution", payer="offender",
                                 amount_claimed="50000", currency="THB", filed_on="2025-08-01")
    claims.transition_claim(actor, claim, to="awarded", on="2025-10-01", amount="40000")
    claims.record_payment(actor, claim, received_on="2025-10-15", amount="12500",
                           proof_reference="receipt 7")
    html = logged_in(caseworker).get(reverse("case", args=[case_a.pk])).content.decode()
    assert "50000.00 THB" in html and "40000.00" in html and "12500.00" in html
    timeline = logged_in(caseworker).get(reverse("compensation:claim", args=[claim.pk]))
    text = timeline.content.decode()
    assert timeline.status_code == 200
    assert "2025-08-01" in text and "2025-10-01" in text and "receipt 7" in text


def test_overdue_instalments_alert_the_caseworker_and_supervisor_on_the_caseload(
        caseworker, supervisor, other_caseworker, case_a, actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, case_a, route="labour_tribunal", payer="employer",
                                 amount_claimed="2000", currency="THB", filed_on="2025-01-01")
    claims.transition_claim(actor, claim, to="awarded", on="2025-02-01", amount="2000")
    claims.set_schedule(actor, claim, instalments=[{"due_on": "2025-03-01", "amount": "1000"},
                                                    {"due_on": "2099-01-01", "amount": "1000"}])
    call_command("compensation_alerts", "--as-of", "2025-03-02")
    assert set(CompensationAlert.objects.values_list("recipient__username", flat=True)) == {
        caseworker.username, supervisor.username}
    call_command("compensation_alerts", "--as-of", "2025-03-03")  # idempotent
    assert CompensationAlert.objects.count() == 2
    html = logged_in(caseworker).get(reverse("caseload")).content.decode()
    assert "Compensation instalment 1 of 1000.00 THB overdue" in html
    other = logged_in(other_caseworker).get(reverse("caseload")).content.decode()
    assert "Compensation instalment" not in other
    claims.record_payment(actor, claim, received_on="2025-03-05", amount="1000",
                           proof_reference="late transfer")
    assert not CompensationAlert.objects.filter(resolved_on__isnull=True).exists()


@pytest.mark.parametrize("name, key", [("compensation:calculator", "case"),
                                       ("compensation:calculation", "calc"),
                                       ("compensation:calculation_pdf", "calc"),
                                       ("compensation:claim", "claim"),
                                       ("compensation:claim_new", "case"),
                                       ("compensation:mediation_new", "case"),
                                       ("compensation:mediation", "mediation"),
                                       ("compensation:assistance", "survivor")])
def test_pages_of_another_organisation_answer_404(caseworker, other_caseworker, case_b, actor_for,
                                                  name, key):
    actor = actor_for(other_caseworker)
    ids = {"case": case_b.pk,
           "calc": calculations.save_calculation(actor, case_b, data=CALC).pk,
           "claim": claims.create_claim(actor, case_b, route="civil_suit", payer="employer",
                                         amount_claimed="1", currency="THB").pk,
           "mediation": mediations.open_mediation(actor, case_b, opened_on="2025-01-01").pk,
           "survivor": case_b.survivor_id}
    exports = AuditEntry.objects.filter(action="export").count()
    assert logged_in(caseworker).get(reverse(name, args=[ids[key]])).status_code == 404
    assert AuditEntry.objects.filter(action="export").count() == exports


def test_a_claim_can_be_filed_and_followed_from_the_pages_without_javascript(caseworker, case_a,
                                                                            actor_for):
    from northstar.compensation.models import Claim

    calc = calculations.save_calculation(actor_for(caseworker), case_a, data=CALC)
    client = logged_in(caseworker)
    new_url = reverse("compensation:claim_new", args=[case_a.pk])
    page = client.get(new_url + f"?calculation={calc.pk}")
    assert page.status_code == 200 and 'value="55230.00"' in page.content.decode()
    response = client.post(new_url, {"route": "criminal_restitution", "payer": "offender",
                                     "amount_claimed": "55230.00", "currency": "THB",
                                     "calculation_id": calc.pk, "filed_on": "2025-08-01"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.status == "filed"
    assert claim.calculation_id == calc.pk
    url = reverse("compensation:claim", args=[claim.pk])
    bad = client.post(url, {"step": "transition", "t-to": "awarded", "t-on": "2025-10-01"})
    assert bad.status_code == 422 and Claim.objects.get().status == "filed"
    assert client.post(url, {"step": "transition", "t-to": "awarded", "t-on": "2025-10-01",
                             "t-amount": "30000"}).status_code == 302
    assert client.post(url, {"step": "schedule", "s-instalments":
                             "2025-11-01 15000\n2025-12-01 15000"}).status_code == 302
    assert client.post(url, {"step": "payment", "p-received_on": "2025-10-20",
                             "p-amount": "15000", "p-proof_reference": "slip 1"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "paying" and claim.instalments.count() == 2
    over = client.post(url, {"step": "payment", "p-received_on": "2025-10-21",
                             "p-amount": "20000", "p-proof_reference": "slip 2"})
    assert over.status_code == 422 and "exceed" in over.content.decode()


def test_a_payment_form_on_a_rejected_claim_is_refused(caseworker, case_a, actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, case_a, route="civil_suit", payer="employer",
                                 amount_claimed="100", currency="THB", filed_on="2025-01-01")
    claims.transition_claim(actor, claim, to="rejected", on="2025-02-01")
    client = logged_in(caseworker)
    url = reverse("compensation:claim", args=[claim.pk])
    assert "Record a payment received" not in client.get(url).content.decode()
    response = client.post(url, {"step": "payment", "p-received_on": "2025-03-01",
                                 "p-amount": "100", "p-proof_reference": "x"})
    assert response.status_code == 409
    assert not claim.payments.exists()


def test_figures_page_for_supervisors_and_not_for_caseworkers(caseworker, supervisor, case_a,
                                                             actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, case_a, route="labour_tribunal", payer="employer",
                                 amount_claimed="1000", currency="THB", filed_on="2025-01-01")
    claims.transition_claim(actor, claim, to="awarded", on="2025-01-31", amount="800")
    claims.record_payment(actor, claim, received_on="2025-02-10", amount="800",
                           proof_reference="x")
    page = logged_in(supervisor).get(reverse("compensation:figures"))
    html = page.content.decode()
    assert page.status_code == 200 and "800.00 / 800.00 THB" in html
    assert logged_in(caseworker).get(reverse("compensation:figures")).status_code == 404


def test_mediation_pages_refuse_a_sex_trafficking_case_and_run_a_labour_one(
        caseworker, sex_trafficking_case, labour_case):
    from northstar.compensation.models import Mediation

    client = logged_in(caseworker)
    url = reverse("compensation:mediation_new", args=[sex_trafficking_case.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Why it cannot be offered" in page.content.decode()
    assert 'name="opened_on"' not in page.content.decode()
    refused = client.post(url, {"opened_on": "2025-09-01"})
    assert refused.status_code == 422 and not Mediation.objects.exists()

    url = reverse("compensation:mediation_new", args=[labour_case.pk])
    opened = client.post(url, {"opened_on": "2025-09-01", "mediator": "Labour office",
                               "party0_role": "employer", "party0_name": "Demo Co."})
    mediation = Mediation.objects.get()
    assert opened.status_code == 302
    page_url = reverse("compensation:mediation", args=[mediation.pk])
    assert "Demo Co." in client.get(page_url).content.decode()
    agreed = client.post(page_url, {
        "step": "agreement", "agreement-agreed_on": "2025-09-20", "agreement-amount": "1000",
        "agreement-currency": "THB", "agreement-payer": "employer", "agreement-terms": "Pay",
        "agreement-instalments": "2025-10-01 500\n2025-11-01 500",
        "agreement-voluntary": "yes", "agreement-interpreter_needed": "yes",
        "agreement-interpreter_present": "yes"})
    assert agreed.status_code == 302, agreed.content.decode()[:2000]
    mediation.refresh_from_db()
    assert mediation.status == "agreed" and mediation.claim.instalments.count() == 2
    escalated = client.post(page_url, {
        "step": "escalation", "escalation-route": "civil_suit", "escalation-amount_claimed": "1000",
        "escalation-payer": "employer", "escalation-reason": "Nothing paid",
        "escalation-on": "2025-12-01"})
    assert escalated.status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == "escalated" and mediation.court_claims.count() == 1
    assert "civil" in client.get(page_url).content.decode().lower()


def test_fund_and_interim_assistance_pages(caseworker, supervisor, other_caseworker, survivor_a):
    from northstar.compensation.models import Disbursement

    boss = logged_in(supervisor)
    assert boss.post(reverse("compensation:fund"), {
        "amount": "5000", "received_on": "2025-01-01", "source": "Grant",
        "currency": "THB"}).status_code == 302
    assert "5000.00 THB" in boss.get(reverse("compensation:fund")).content.decode()
    client = logged_in(caseworker)
    assert client.post(reverse("compensation:fund"), {
        "amount": "1", "received_on": "2025-01-01", "source": "x"}).status_code == 200
    url = reverse("compensation:assistance", args=[survivor_a.pk])
    paid = client.post(url, {"purpose": "living_costs", "amount": "1200", "paid_on": "2025-02-01",
                             "approver_id": supervisor.pk})
    assert paid.status_code == 302 and Disbursement.objects.count() == 1
    too_much = client.post(url, {"purpose": "medical", "amount": "3800.01",
                                 "paid_on": "2025-02-02", "approver_id": supervisor.pk})
    assert too_much.status_code == 422 and Disbursement.objects.count() == 1
    survivor_page = client.get(reverse("survivor", args=[survivor_a.pk])).content.decode()
    assert "Interim assistance" in survivor_page and "1200.00 THB" in survivor_page
    assert logged_in(other_caseworker).get(url).status_code == 404


def test_the_calculator_starts_from_the_cases_sector(client, caseworker, survivor_a, actor_for):
    from northstar.survivors import actions as survivor_actions

    case = survivor_actions.create_case(actor_for(caseworker), survivor_a, data={
        "forms_of_exploitation": ["domestic_servitude"], "jurisdiction": "HK"})
    client.force_login(caseworker)
    page = client.get(f"/compensation/cases/{case.pk}/calculator/").content.decode()
    assert 'name="p0_sector"' in page and 'value="domestic_work"' in page
