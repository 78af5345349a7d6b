"""API schemas. Input is strict: an unknown key is a 422 naming it. Amounts are decimal strings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from northstar.apiutils import PagingFacts, StrictSchema


class ForeignAmountIn(StrictSchema):
    amount: str
    currency: str = Field(min_length=3, max_length=3)
    rate: str | None = Field(None, description="statement-currency units per one unit of `currency`")
    rate_date: dt.date | None = None


Money = str | ForeignAmountIn


class WorkPeriodIn(StrictSchema):
    start: dt.date
    end: dt.date
    days_worked: int | str
    hours_per_day: int | str
    agreed_daily_wage: Money | None = None
    statutory_daily_wage: Money | None = None
    amount_paid: Money | None = None
    region: str | None = None
    sector: str | None = None
    normal_daily_hours: int | str | None = Field(
        None, description="needed where the wage data does not state normal daily hours")
    overtime_multiplier: str | None = Field(
        None, description="needed where the wage data does not state the overtime premium")


class NonPecuniaryIn(StrictSchema):
    amount: Money = "0"
    justification: str = Field("", max_length=4000)


class CalculateIn(StrictSchema):
    jurisdiction: str = Field(min_length=2, max_length=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    method: str = "statutory"
    work_periods: list[WorkPeriodIn] = Field(default_factory=list, max_length=60)
    recruitment_fees: Money | None = "0"
    debts_imposed: Money | None = "0"
    unlawful_deductions: Money | None = "0"
    medical_costs: Money | None = "0"
    future_medical_costs: Money | None = "0"
    travel_costs: Money | None = "0"
    lost_earnings: Money | None = "0"
    offender_gain: Money | None = None
    non_pecuniary: NonPecuniaryIn = Field(default_factory=NonPecuniaryIn)


class SaveCalculationIn(CalculateIn):
    label: str = Field("", max_length=120)


class ClaimIn(StrictSchema):
    route: str
    payer: str
    amount_claimed: str
    currency: str = Field(min_length=3, max_length=3)
    calculation_id: int | None = None
    payer_name: str = Field("", max_length=300)
    forum_reference: str = Field("", max_length=120)
    filed_on: dt.date | None = None
    conditions_confirmed: bool = Field(
        False, description="for out-of-court mediation where the pathways engine sets conditions")


class TransitionIn(StrictSchema):
    to: str
    on: dt.date
    amount: str | None = None
    note: str = Field("", max_length=300)


class InstalmentIn(StrictSchema):
    due_on: dt.date
    amount: str


class ScheduleIn(StrictSchema):
    instalments: list[InstalmentIn] = Field(max_length=240)


class PaymentIn(StrictSchema):
    received_on: dt.date
    amount: str
    proof_reference: str = Field(max_length=200)


class PartyIn(StrictSchema):
    role: str
    name: str = Field(max_length=300)
    represented_by: str = Field("", max_length=200)


class MediationIn(StrictSchema):
    opened_on: dt.date
    mediator: str = Field("", max_length=200)
    parties: list[PartyIn] = Field(default_factory=list, max_length=30)
    conditions_confirmed: bool = Field(
        False, description="the caseworker confirms the pathways engine's conditions are met")


class SessionIn(StrictSchema):
    held_on: dt.date
    outcome: str
    summary: str = Field("", max_length=4000)


class AgreementIn(StrictSchema):
    agreed_on: dt.date
    amount: str
    currency: str = Field(min_length=3, max_length=3)
    payer: str
    terms: str = Field(max_length=8000)
    instalments: list[InstalmentIn] = Field(default_factory=list, max_length=240)
    #: What the terms require, for the Do No Harm check (e.g. withdraw_complaint blocks).
    term_kinds: list[Literal["withdraw_complaint", "withdraw_testimony", "refuse_to_testify",
                             "confidentiality", "payment_in_instalments", "other"]] = Field(
        default_factory=list, max_length=6)
    #: She agreed freely; null = not known (warns).
    voluntary: bool | None = None
    interpreter_needed: bool | None = None
    interpreter_present: bool | None = None
    #: A supervisor's written reason to override a block that allows it.
    justification: str = Field(default="", max_length=4000)
    second_supervisor_id: int | None = None


class EscalationIn(StrictSchema):
    route: str
    amount_claimed: str
    payer: str
    reason: str = Field(max_length=300)
    on: dt.date
    filed_on: dt.date | None = None
    forum_reference: str = Field("", max_length=120)
    currency: str | None = Field(None, min_length=3, max_length=3,
                                 description="default: the agreement's, else the jurisdiction's")


class DepositIn(StrictSchema):
    amount: str
    received_on: dt.date
    source: str = Field(max_length=200)
    currency: str | None = Field(None, min_length=3, max_length=3)


class DisbursementIn(StrictSchema):
    purpose: str
    amount: str
    paid_on: dt.date
    approver_id: int
    case_id: int | None = None
    note: str = Field("", max_length=2000)


# --- responses -------------------------------------------------------------------
# Amounts are strings with exactly the currency's decimals; dates ISO 8601.


class OpenSchema(Schema):
    """Output whose documented fields are typed and whose further keys pass through unchanged
    (a statement line's ``segments``, the engine's explanation of an assessment)."""

    model_config = ConfigDict(extra="allow")


class StatementLineOut(OpenSchema):
    head: str
    label: str
    amount: str
    formula: str
    inputs: dict
    sources: list[str]
    conversions: list[dict]


class StatementOut(Schema):
    currency: str
    lines: list[StatementLineOut]
    total: str
    method: str
    jurisdiction: str
    calculator_version: str
    rule_set_version: str
    rounding: str
    total_formula: str


class CalculationOut(Schema):
    id: int
    case_id: int
    label: str
    jurisdiction: str
    method: str
    currency: str
    total: str
    calculator_version: str
    rule_set_version: str
    created_at: str


class CalculationDetailOut(CalculationOut):
    inputs: dict
    result: StatementOut


class CalculationListOut(Schema):
    items: list[CalculationOut]


class ClaimOut(Schema):
    id: int
    case_id: int
    route: str
    status: str
    payer: str
    forum_reference: str
    calculation_id: int | None
    currency: str
    amount_claimed: str
    amount_awarded: str | None
    amount_agreed: str | None
    filed_on: dt.date | None
    decided_on: dt.date | None
    closed_on: dt.date | None
    escalated_from_mediation_id: int | None
    version: int


class InstalmentOut(Schema):
    id: int
    number: int
    due_on: dt.date
    amount: str


class PaymentOut(Schema):
    id: int
    received_on: dt.date
    amount: str
    proof_reference: str


class ClaimEventOut(Schema):
    kind: str
    on: dt.date
    from_status: str
    to_status: str
    amount: str | None
    note: str
    by: str
    at: str


class ClaimDetailOut(ClaimOut):
    payer_name: str | None
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]
    timeline: list[ClaimEventOut]
    figures: dict


class ClaimListOut(Schema):
    items: list[ClaimOut]


class FiguresOut(Schema):
    as_of: str
    all: dict
    by_route: dict[str, dict]
    restricted_to_statistics_consent: bool


class EligibilityOut(OpenSchema):
    key: str
    eligibility: str
    rule_set_version: str


class SessionOut(Schema):
    id: int
    held_on: dt.date
    outcome: str
    summary: str | None


class PartyOut(Schema):
    id: int
    role: str
    represented_by: str
    name: str | None


class MediationOut(Schema):
    id: int
    case_id: int
    status: str
    mediator: str
    opened_on: dt.date
    agreed_on: dt.date | None
    closed_on: dt.date | None
    claim_id: int | None
    failure_reason: str
    eligibility: dict
    court_claim_ids: list[int]
    sessions: list[SessionOut]
    parties: list[PartyOut]


class MediationDetailOut(MediationOut):
    agreement_terms: str | None


class MediationListOut(Schema):
    items: list[MediationOut]


class FundReportOut(Schema):
    currency: str | None
    balance: str
    deposits: str
    disbursed: str
    #: Disbursements recorded but not yet approved by the approver they name (reserved).
    awaiting_approval: str
    by_purpose: dict[str, str | None]
    per_survivor: dict[str, dict] | None


class FundBalanceOut(Schema):
    currency: str
    balance: str


class DisbursementOut(Schema):
    id: int
    survivor_id: int
    case_id: int | None
    purpose: str
    amount: str
    currency: str
    paid_on: dt.date
    approver: str
    #: pending until the named approver approves; declined money returns to the fund.
    status: str


class DisbursementPage(PagingFacts):
    """One page of the disbursements waiting for your decision, oldest first."""

    items: list[DisbursementOut]


class DisbursementDeclineIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=1000)


class DisbursementListOut(Schema):
    items: list[DisbursementOut]
    total: str
