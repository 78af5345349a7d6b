"""Delivery figures on a small known data set: mediated against court-imposed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from northstar.compensation import claims
from northstar.compensation.figures import ClaimFacts, organisation_figures
from northstar.survivors import actions as survivor_actions

D = dt.date
JAN_1 = D(2025, 1, 1)
FEB_1 = D(2025, 2, 1)


def facts(route, status, obligation, instalments, payments, filed=JAN_1, decided=FEB_1):
    return ClaimFacts(route=route, currency="THB", status=status, filed_on=filed,
                      decided_on=decided, obligation=Decimal(obligation),
                      instalments=tuple((d, Decimal(a)) for d, a in instalments),
                      payments=tuple((d, Decimal(a)) for d, a in payments))


def test_compliance_split_by_route_on_a_known_data_set():
    as_of = D(2025, 12, 31)
    mediated = [
        # paid both instalments on time → 2/2 on time, paid in full
        facts("out_of_court_mediation", "paid_in_full", "1000",
              [(D(2025, 3, 1), "500"), (D(2025, 4, 1), "500")],
              [(D(2025, 2, 28), "500"), (D(2025, 4, 1), "500")]),
        # second instalment late → 1/2 on time, paid in full
        facts("out_of_court_mediation", "paid_in_full", "1000",
              [(D(2025, 3, 1), "500"), (D(2025, 4, 1), "500")],
              [(D(2025, 3, 1), "500"), (D(2025, 5, 1), "500")]),
    ]
    court = [
        # nothing paid → 0/1 on time, defaulted
        facts("criminal_restitution", "defaulted", "4000", [(D(2025, 6, 1), "4000")], [],
              decided=D(2025, 5, 1)),
        # half paid on time, rest never → 1/2, still paying but fully due
        facts("criminal_restitution", "paying", "2000",
              [(D(2025, 6, 1), "1000"), (D(2025, 7, 1), "1000")],
              [(D(2025, 5, 20), "1000")], decided=D(2025, 4, 1)),
    ]
    result = organisation_figures(mediated + court, as_of)
    m = result["by_route"]["out_of_court_mediation"]
    c = result["by_route"]["criminal_restitution"]
    # mediated: 3 of 4 instalments on time; 2 of 2 obligations paid in full
    assert (m["instalments_on_time"], m["instalments_due"], m["on_time_rate"]) == (3, 4, "0.7500")
    assert m["completion_rate"] == "1.0000"
    assert m["money"] == {"THB": {"awarded_or_agreed": "2000.00", "received": "2000.00",
                                  "received_share": "1.0000"}}
    # court: 1 of 3 instalments on time; 0 of 2 paid in full; 1,000 of 6,000 received
    assert (c["instalments_on_time"], c["instalments_due"], c["on_time_rate"]) == (1, 3, "0.3333")
    assert c["completion_rate"] == "0.0000"
    assert c["money"]["THB"]["received_share"] == "0.1667"
    # filing → decision: mediated 31 and 31 days; court 120 (1 Jan→1 May) and 90 (→1 Apr)
    assert m["median_days_filing_to_decision"] == "31"
    assert c["median_days_filing_to_decision"] == "105"
    assert result["all"]["claims"] == 4 and result["by_route"]["civil_suit"]["claims"] == 0
    assert result["all"]["on_time_rate"] == "0.5714"  # 4 of 7


def test_money_is_never_summed_across_currencies():
    usd = ClaimFacts("civil_suit", "USD", "awarded", D(2025, 1, 1), D(2025, 2, 1), Decimal("10"))
    thb = ClaimFacts("civil_suit", "THB", "awarded", D(2025, 1, 1), D(2025, 2, 1), Decimal("300"))
    money = organisation_figures([usd, thb], D(2025, 3, 1))["all"]["money"]
    assert set(money) == {"THB", "USD"} and money["USD"]["awarded_or_agreed"] == "10.00"


def test_figures_endpoint_for_supervisor_and_researcher(api, caseworker, supervisor, users,
                                                        case_a, actor_for):
    actor = actor_for(caseworker)
    claim = claims.create_claim(actor, case_a, route="criminal_restitution", payer="offender",
                                 amount_claimed="1000", currency="THB", filed_on="2025-01-01")
    claims.transition_claim(actor, claim, to="awarded", on="2025-03-01", amount="1000")
    body = api(supervisor).get("/api/v1/compensation/figures").json()
    assert body["by_route"]["criminal_restitution"]["claims"] == 1
    assert body["by_route"]["criminal_restitution"]["median_days_filing_to_decision"] == "59"
    researcher = users[("a", "researcher")]
    body = api(researcher).get("/api/v1/compensation/figures").json()
    # no statistics consent and a cell of fewer than three claims: nothing individual shows
    assert body["all"]["claims"] == 0
    assert api(caseworker).get("/api/v1/compensation/figures").status_code == 403
    # researchers never reach individual claims
    assert api(researcher).get(f"/api/v1/compensation/claims/{claim.pk}").status_code == 404


def _consenting_case(actor, n: int):
    survivor = survivor_actions.create_survivor(actor, data={
        "given_name": f"Demo Person {n}", "family_name": "Testperson", "sex": "female",
        "nationality": "KH", "languages": ["km"], "preferred_language": "km"})
    survivor_actions.record_consent(actor, survivor, purpose="statistics", language="km",
                                    method="verbal")
    return survivor_actions.create_case(actor, survivor, data={
        "forms_of_exploitation": ["labour"], "sectors": ["fishing"]})


def _claim(actor, case, route: str):
    return claims.create_claim(actor, case, route=route, payer="employer",
                                amount_claimed="100", currency="THB", filed_on="2025-01-01")


def test_researchers_see_only_consented_claims_in_cells_of_three_or_more(api, caseworker, users,
                                                                         actor_for):
    actor = actor_for(caseworker)
    cases = [_consenting_case(actor, n) for n in range(7)]
    for case in cases[:3]:
        _claim(actor, case, "civil_suit")
    for case in cases[3:6]:
        _claim(actor, case, "criminal_restitution")
    _claim(actor, cases[6], "labour_tribunal")
    body = api(users[("a", "researcher")]).get("/api/v1/compensation/figures").json()
    assert body["all"]["claims"] == 7
    assert body["by_route"]["labour_tribunal"] == {"claims": "<3", "suppressed": True}
    # all 7 - civil 3 - criminal 3 would give the tribunal's one claim away, so one more
    # route is hidden with it
    hidden = [r for r, g in body["by_route"].items() if g.get("suppressed")]
    assert len(hidden) == 2 and "labour_tribunal" in hidden


def test_a_hidden_route_is_never_recoverable_from_the_total(api, caseworker, users, actor_for):
    actor = actor_for(caseworker)
    cases = [_consenting_case(actor, n) for n in range(4)]
    for case in cases[:3]:
        _claim(actor, case, "civil_suit")
    _claim(actor, cases[3], "labour_tribunal")
    body = api(users[("a", "researcher")]).get("/api/v1/compensation/figures").json()
    assert body["all"]["claims"] == 4
    assert body["by_route"]["labour_tribunal"]["suppressed"] is True
    assert body["by_route"]["civil_suit"]["suppressed"] is True


def test_one_survivors_many_claims_are_still_one_person_to_researchers(api, caseworker, users,
                                                                       case_a, actor_for):
    actor = actor_for(caseworker)
    survivor_actions.record_consent(actor, case_a.survivor, purpose="statistics", language="km",
                                    method="verbal")
    for _ in range(4):
        _claim(actor, case_a, "civil_suit")
    body = api(users[("a", "researcher")]).get("/api/v1/compensation/figures").json()
    assert body["all"] == {"claims": "<3", "suppressed": True}
    assert body["by_route"]["civil_suit"] == {"claims": "<3", "suppressed": True}
