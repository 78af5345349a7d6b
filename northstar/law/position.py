"""Read ``legal_position.toml``: what the law of one jurisdiction gives a survivor.

Pure Python; the file is validated with pydantic, and a broken file is refused
at load with an error naming the jurisdiction and the field, so a lawyer who
edits the data finds the mistake at once. ``survivor_statements`` turns the
facts into what a survivor is told: what the law gives, what Northstar's
organisations commit to, and where the law is silent — never a promise the law
does not keep, because every statement key is chosen from a sourced fact.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from northstar.law.texts import STATEMENTS
from northstar.rules.errors import RuleDataError

POSITION_FILE = Path(__file__).with_name("legal_position.toml")

#: The ten jurisdictions Northstar serves (core.jurisdictions.Jurisdiction, without importing Django).
JURISDICTIONS = ("KH", "HK", "MM", "PH", "TH", "VN", "LA", "ID", "MY", "SG")

#: 18 U.S.C. §1593's "greater of" restitution is United States law (jurisdictions.md §1.4).
GREATER_OF_SOURCE = (
    "18 U.S.C. §1593(b)(3): restitution includes 'the greater of the gross income or value to the "
    "defendant of the victim's services or labor or the value of the victim's labor as guaranteed "
    "under the minimum wage and overtime guarantees of the FLSA' (jurisdictions.md §1.4)"
)

Basis = Literal["law", "guideline", "practice", "secondary", "not_found"]
YesNo = Literal["yes", "no", "unknown"]
Coverage = Literal["statutory", "partial", "none", "unknown"]
ScamCoverage = Literal["covered", "partial", "not_covered", "unknown"]
ReflectionStatus = Literal["statutory", "guideline", "none", "unknown"]
Freedom = Literal["yes", "by_permission", "no", "unknown"]
RouteKind = Literal["criminal_court_order", "civil_claim", "labour_claim", "state_fund",
                    "state_support", "out_of_court_settlement", "wage_arrears_order"]
RouteExists = Literal["yes", "reported_practice", "unknown"]
CaseNeed = Literal["conviction", "prosecution", "no", "unknown"]
Delivery = Literal["delivering", "improvable", "unknown"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

V = TypeVar("V")


class LegalPositionError(RuleDataError):
    """The data file breaks its own format; the message names the jurisdiction and field."""


class UnknownJurisdiction(LookupError):
    """No legal position is recorded for this jurisdiction code."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Fact(_Strict, Generic[V]):
    """One sourced fact. ``basis = not_found`` always carries ``value = "unknown"``."""

    value: V
    basis: Basis
    source: Text
    checked: dt.date
    note: str = ""

    @model_validator(mode="after")
    def _not_found_is_unknown(self) -> Fact:
        if self.basis == "not_found" and self.value != "unknown":
            raise ValueError('basis "not_found" needs value "unknown" (never guess)')
        return self

    @property
    def known(self) -> bool:
        return self.value != "unknown"


class NonPunishment(_Strict):
    coverage: Fact[Coverage]
    offences: Fact[Text]
    scam_compound: Fact[ScamCoverage]
    penalised_reported: Fact[YesNo]


class Testimony(_Strict):
    remote: Fact[YesNo]


class Reflection(_Strict):
    days: Fact[Annotated[int, Field(gt=0)] | Literal["none", "unknown"]]
    status: Fact[ReflectionStatus]

    @model_validator(mode="after")
    def _days_match_status(self) -> Reflection:
        if (self.status.value == "none") != (self.days.value == "none"):
            raise ValueError('days is "none" exactly when status is "none"')
        return self


class Referral(_Strict):
    entry_point: Fact[Text]


class ChildReporting(_Strict):
    mandatory: Fact[YesNo]
    who: Fact[Text]


class Movement(_Strict):
    freedom: Fact[Freedom]
    detention_reported: Fact[YesNo]
    stay_and_work: Fact[YesNo]


class Return(_Strict):
    voluntary_in_law: Fact[YesNo]


class CompensationRoute(_Strict):
    route: RouteKind
    label: Text
    exists: Fact[RouteExists]
    needs_criminal_case: Fact[CaseNeed]
    needs_testimony: Fact[YesNo]
    delivery: Fact[Delivery]

    @model_validator(mode="after")
    def _no_case_means_no_testimony(self) -> CompensationRoute:
        # needs_testimony means testimony against the offender in a criminal case.
        if self.needs_criminal_case.value == "no" and self.needs_testimony.value != "no":
            raise ValueError("a route that needs no criminal case needs no testimony in one")
        return self

    @property
    def lawful_route(self) -> bool:
        """A route the law provides, as opposed to a practice reported to happen."""
        return self.exists.value == "yes"


class LegalPosition(_Strict):
    code: str
    name: Text
    main_law: Fact[Text]
    greater_of_entitlement: Fact[Literal["yes", "no"]]
    non_punishment: NonPunishment
    testimony: Testimony
    reflection: Reflection
    referral: Referral
    child_reporting: ChildReporting
    movement: Movement
    return_: Return = Field(alias="return")
    compensation_routes: tuple[CompensationRoute, ...]

    @model_validator(mode="after")
    def _practice_is_only_for_commitments(self) -> LegalPosition:
        for path, fact in self.facts():
            if fact.basis == "practice":
                raise ValueError(f'{path}: basis "practice" is for Northstar commitments, not law')
        return self

    def facts(self) -> Iterator[tuple[str, Fact]]:
        """Every fact with its dotted path, for listing and checking."""
        yield from _facts(self, "")

    def route(self, kind: str) -> CompensationRoute | None:
        return next((r for r in self.compensation_routes if r.route == kind), None)


class Commitments(_Strict):
    """Northstar's organisational commitments: basis "practice", value "yes", everywhere."""

    services_not_conditional: Fact[Literal["yes"]]
    no_pressure_to_testify: Fact[Literal["yes"]]
    free_to_leave_our_shelters: Fact[Literal["yes"]]
    no_push_to_return: Fact[Literal["yes"]]
    interpreter: Fact[Literal["yes"]]
    tell_once: Fact[Literal["yes"]]
    police_only_with_consent: Fact[Literal["yes"]]
    no_rush_to_identify: Fact[Literal["yes"]]
    child_supervision_explained: Fact[Literal["yes"]]

    @model_validator(mode="after")
    def _all_practice(self) -> Commitments:
        for name, fact in _facts(self, ""):
            if fact.basis != "practice":
                raise ValueError(f'{name}: a commitment has basis "practice"')
        return self


def _facts(model: BaseModel, prefix: str) -> Iterator[tuple[str, Fact]]:
    for name, field in type(model).model_fields.items():
        label = f"{prefix}{field.alias or name}"
        value = getattr(model, name)
        if isinstance(value, Fact):
            yield label, value
        elif isinstance(value, BaseModel):
            yield from _facts(value, label + ".")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    tag = getattr(item, "route", i)
                    yield from _facts(item, f"{label}[{tag}].")


@dataclass(frozen=True)
class LegalPositions:
    version: str
    source: str
    checked: dt.date
    commitments: Commitments
    jurisdictions: dict[str, LegalPosition]


def _error(where: str, exc: ValidationError) -> LegalPositionError:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "Literal[")))
        lines.append(f"{where}.{loc}: {err['msg']}" if loc else f"{where}: {err['msg']}")
    return LegalPositionError("; ".join(lines))


def parse(data: dict[str, Any], name: str = POSITION_FILE.name) -> LegalPositions:
    """Validate raw TOML data; any fault raises ``LegalPositionError`` naming where."""
    for key in ("version", "source", "checked", "commitments", "jurisdictions"):
        if key not in data:
            raise LegalPositionError(f"{name}: missing {key!r}")
    unknown = set(data) - {"version", "source", "checked", "commitments", "jurisdictions"}
    if unknown:
        raise LegalPositionError(f"{name}: unknown key(s) {sorted(unknown)}")
    try:
        commitments = Commitments.model_validate(data["commitments"])
    except ValidationError as exc:
        raise _error(f"{name} commitments", exc) from None
    out: dict[str, LegalPosition] = {}
    for code, entry in data["jurisdictions"].items():
        if code not in JURISDICTIONS:
            raise LegalPositionError(f"{name} jurisdictions.{code}: not one of {JURISDICTIONS}")
        try:
            out[code] = LegalPosition.model_validate({**entry, "code": code})
        except ValidationError as exc:
            raise _error(f"{name} jurisdictions.{code}", exc) from None
    return LegalPositions(str(data["version"]), str(data["source"]), data["checked"],
                          commitments, out)


def load(path: Path = POSITION_FILE) -> LegalPositions:
    with open(path, "rb") as fh:
        return parse(tomllib.load(fh), path.name)


@lru_cache(maxsize=1)
def positions() -> LegalPositions:
    return load()


def list_rules() -> list[dict]:
    """One row per fact, in the shape ``manage.py rules`` prints (id, explanation, source, checked)."""
    data = positions()
    rows = [("commitments." + name, fact) for name, fact in _facts(data.commitments, "")]
    for code, pos in data.jurisdictions.items():
        rows.extend((f"{code}.{path}", fact) for path, fact in pos.facts())
    return [{"rule_set": "legal_position", "rule_set_version": data.version, "id": rule_id,
             "explanation": f"{fact.value} ({fact.basis})" + (f" — {fact.note}" if fact.note else ""),
             "source": fact.source, "checked": fact.checked.isoformat()}
            for rule_id, fact in rows]


def position_for(jurisdiction: str) -> LegalPosition:
    """The recorded legal position; a code with none recorded raises ``UnknownJurisdiction``."""
    found = positions().jurisdictions.get((jurisdiction or "").upper())
    if found is None:
        raise UnknownJurisdiction(f"no legal position recorded for {jurisdiction!r}")
    return found


def routes_without_testimony(jurisdiction: str, *, trafficking: bool | None = None
                             ) -> list[CompensationRoute]:
    """Routes that still work for a survivor who will not testify against the offender.

    Only routes whose source says so (``needs_testimony = no``). An out-of-court
    settlement is left out unless the case is known not to be trafficking
    (``trafficking=False``): settling trafficking out of court is harmful and,
    in most countries, unlawful (DOMAIN.md §4) — unknown is never safe.
    """
    try:
        routes = position_for(jurisdiction).compensation_routes
    except UnknownJurisdiction:
        return []
    return [r for r in routes
            if r.needs_testimony.value == "no"
            and (r.route != "out_of_court_settlement" or trafficking is False)]


def greater_of_is_entitlement(jurisdiction: str) -> bool:
    """Whether 'the greater of' the offender's gain or the minimum-wage value is owed by law.

    It is: in the United States (18 U.S.C. §1593). Everywhere else it is an
    advocacy argument, unless a sourced fact in the data says otherwise.
    """
    code = (jurisdiction or "").upper()
    if code == "US":
        return True
    try:
        return position_for(code).greater_of_entitlement.value == "yes"
    except UnknownJurisdiction:
        return False


# --- What the survivor is told ------------------------------------------------------------

Kind = Literal["law", "unknown", "commitment"]


@dataclass(frozen=True)
class Statement:
    """One thing a survivor is told, with the source it rests on."""

    key: str
    text: str
    kind: Kind
    basis: str
    source: str
    checked: dt.date


def _say(key: str, fact: Fact, kind: Kind | None = None) -> Statement:
    if kind is None:
        kind = "unknown" if fact.basis == "not_found" or not fact.known else "law"
    return Statement(key, STATEMENTS[key], kind, fact.basis, fact.source, fact.checked)


def _unsourced(key: str, why: str) -> Statement:
    """For a jurisdiction with no recorded position: everything is unknown."""
    return Statement(key, STATEMENTS[key], "unknown", "not_found", why, positions().checked)


def _pick(code: str, topic: str, fact: Fact) -> str:
    """This jurisdiction's own text for a known fact; the "not known" text otherwise.

    A fact that is known but has no text yet (a lawyer added data before the
    words) falls back to "not known" — never to a promise. ``missing_texts``
    lists such gaps so a test catches them.
    """
    own = f"{topic}.{code}"
    if fact.known and own in STATEMENTS:
        return own
    return f"{topic}.unknown"


def missing_texts() -> list[str]:
    """Known facts whose jurisdiction has no survivor text yet (each should be written)."""
    gaps = []
    for code, pos in positions().jurisdictions.items():
        facts = {"non_punishment": pos.non_punishment.coverage,
                 "testimony.remote": pos.testimony.remote,
                 "referral": pos.referral.entry_point,
                 "child_reporting": pos.child_reporting.mandatory,
                 "reflection": pos.reflection.status,
                 "movement": pos.movement.freedom,
                 "return": pos.return_.voluntary_in_law}
        gaps += [f"{topic}.{code}" for topic, fact in facts.items()
                 if fact.known and f"{topic}.{code}" not in STATEMENTS]
        if f"compensation.{code}" not in STATEMENTS:
            gaps.append(f"compensation.{code}")
    return gaps


def law_statements(jurisdiction: str, *, child: bool | None = None) -> list[Statement]:
    """What the law of this jurisdiction gives, or that it is not known.

    ``child`` is True, False or None (age unknown); children's statements are
    shown unless the survivor is known to be an adult.
    """
    code = (jurisdiction or "").upper()
    try:
        pos = position_for(code)
    except UnknownJurisdiction:
        why = f"no legal position recorded for {jurisdiction!r} in {POSITION_FILE.name}"
        keys = ["non_punishment.unknown", "testimony.remote.unknown", "compensation.unknown",
                "compensation.without_testimony.none_known", "referral.unknown",
                "reflection.unknown", "movement.unknown", "return.unknown"]
        if child is not False:
            keys.insert(5, "child_reporting.unknown")
        return [_unsourced(k, why) for k in keys]

    out: list[Statement] = []
    np = pos.non_punishment
    out.append(_say(_pick(code, "non_punishment", np.coverage), np.coverage))
    scam = {"partial": "non_punishment.scam_compound_partial",
            "not_covered": "non_punishment.scam_compound_not_covered",
            "unknown": "non_punishment.scam_compound_unknown"}.get(np.scam_compound.value)
    # Where coverage itself is unknown, "unknown for scam compounds" adds nothing.
    if scam and not (np.coverage.value == "unknown" and np.scam_compound.value == "unknown"):
        out.append(_say(scam, np.scam_compound, "law" if np.scam_compound.known else None))
    if np.penalised_reported.value == "yes":
        out.append(_say("non_punishment.penalised_reported", np.penalised_reported))

    remote = pos.testimony.remote
    out.append(_say(_pick(code, "testimony.remote", remote), remote))

    out.extend(_compensation(pos))

    entry = pos.referral.entry_point
    out.append(_say(_pick(code, "referral", entry), entry))

    reporting = pos.child_reporting.mandatory
    if child is not False:
        out.append(_say(_pick(code, "child_reporting", reporting), reporting))

    status = pos.reflection.status
    out.append(_say(_pick(code, "reflection", status), status))

    mv = pos.movement
    out.append(_say(_pick(code, "movement", mv.freedom), mv.freedom))
    if mv.stay_and_work.value == "yes" and f"movement.stay_and_work.{code}" in STATEMENTS:
        out.append(_say(f"movement.stay_and_work.{code}", mv.stay_and_work))
    if mv.detention_reported.value == "yes":
        out.append(_say("movement.detention_reported", mv.detention_reported))

    back = pos.return_.voluntary_in_law
    out.append(_say(_pick(code, "return", back), back))
    return out


#: Routes that pay compensation (as opposed to support or a settlement) — what the text is about.
COMPENSATION_ROUTES = ("criminal_court_order", "civil_claim", "wage_arrears_order", "state_fund",
                       "labour_claim")


def _compensation(pos: LegalPosition) -> list[Statement]:
    key = f"compensation.{pos.code}" if f"compensation.{pos.code}" in STATEMENTS \
        else "compensation.unknown"
    paying = [r for r in pos.compensation_routes if r.route in COMPENSATION_ROUTES]
    lead = next((r for r in paying if r.lawful_route), None)
    if lead is not None:
        first = _say(key, lead.exists, "law")
    else:
        fact = paying[0].exists if paying else pos.main_law
        first = _say(key, fact, "unknown")
    without = routes_without_testimony(pos.code)
    if without:
        second = _say("compensation.without_testimony.some", without[0].needs_testimony, "law")
    else:
        facts = [r.needs_testimony for r in pos.compensation_routes] or [pos.main_law]
        second = _say("compensation.without_testimony.none_known", facts[0], "unknown")
    return [first, second]


def commitment_statements(*, child: bool | None = None) -> list[Statement]:
    """What Northstar's organisations commit to, everywhere. Not law, and said so.

    A child (or a survivor whose age is unknown) is not told "free to come and
    go" without the rider that supervision may be needed and will be explained.
    """
    out = []
    data = positions().commitments
    for name, fact in _facts(data, ""):
        if name == "child_supervision_explained":
            continue
        if name == "free_to_leave_our_shelters" and child is not False:
            out.append(_say("commitment.free_to_leave_our_shelters_child",
                            data.child_supervision_explained, "commitment"))
            continue
        out.append(_say(f"commitment.{name}", fact, "commitment"))
    return out


def survivor_statements(jurisdiction: str, *, child: bool | None = None) -> list[Statement]:
    """Everything a survivor in this jurisdiction is told: the law, then our commitments."""
    return law_statements(jurisdiction, child=child) + commitment_statements(child=child)


def statement_keys() -> set[str]:
    """Every key the statements can use (all need translations)."""
    return set(STATEMENTS)
