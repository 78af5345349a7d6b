"""Every write of the intelligence app: receiving a report, reviewing it, removing it,
an organisation's sharing setting. Each runs in one transaction and writes its audit entry.

Receiving a report writes an audit entry that names neither the report nor anyone: an
entry with the report's id and the exact time would undo the coarse week stored on the
report, and an entry made as ``survivor#<id>`` would tie a portal report to its survivor.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone

from northstar.core import audit, places
from northstar.core.actor import Actor
from northstar.core.errors import DomainError
from northstar.core.models import Organisation
from northstar.intelligence import keys
from northstar.intelligence.models import (
    CaseLink,
    Channel,
    EntityKind,
    Method,
    Report,
    ReviewStatus,
    SharingSetting,
)
from northstar.intelligence.sources import Source
from northstar.survivors.consent import may_flow
from northstar.survivors.models import ConsentPurpose

MAX_NAMES = 10
MAX_NAME = 200
MAX_TEXT = 2000
MAX_VIA = 5
TEXT_FIELDS = ("places", "debts", "details")
NAME_FIELDS = {"recruiters": EntityKind.RECRUITER, "agencies": EntityKind.AGENCY,
               "employers": EntityKind.EMPLOYER}


class RateLimited(DomainError):
    """The source's reports for today are used up: 429."""

    status = 429


def _text(data, name: str, limit: int) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        raise DomainError("must be text", name)
    value = value.strip()
    if len(value) > limit:
        raise DomainError(f"must be at most {limit} characters", name)
    return value


def _names(data, name: str) -> list[str]:
    raw = _text(data, name, MAX_NAMES * (MAX_NAME + 2))
    found = [n.strip() for part in raw.splitlines() for n in part.split(";") if n.strip()]
    if len(found) > MAX_NAMES:
        raise DomainError(f"at most {MAX_NAMES} names, one a line", name)
    if any(len(n) > MAX_NAME for n in found):
        raise DomainError(f"each name at most {MAX_NAME} characters", name)
    return list(dict.fromkeys(found))


def _country(data, name: str) -> str:
    value = (data.get(name) or "").strip().upper() if isinstance(data.get(name) or "", str) else None
    if value is None or (value and not places.is_country(value)):
        raise DomainError(places.COUNTRY_ERROR, name)
    return value


def clean(data) -> dict:
    """The report as stored, or ``DomainError`` naming the first wrong field. ``data`` is a
    mapping of strings (a form) where lists come from ``getlist``-like ``via``/``methods``."""
    out = {name: _names(data, name) for name in NAME_FIELDS}
    for name in ("country", "from_country", "to_country"):
        out[name] = _country(data, name)
    via = data.get("via") or []
    via = [via] if isinstance(via, str) else list(via)
    via = [v.strip().upper() for v in via if isinstance(v, str) and v.strip()]
    if len(via) > MAX_VIA or any(not places.is_country(v) for v in via):
        raise DomainError(places.COUNTRY_ERROR, "via")
    out["via"] = list(dict.fromkeys(via))
    methods = data.get("methods") or []
    methods = [methods] if isinstance(methods, str) else list(methods)
    if any(m not in Method.values for m in methods):
        raise DomainError("Choose from the list.", "methods")
    out["methods"] = sorted(set(methods))
    out["province"] = _text(data, "province", 100)
    for name in TEXT_FIELDS:
        out[name] = _text(data, name, MAX_TEXT)
    if not (any(out[n] for n in NAME_FIELDS) or out["from_country"] or out["to_country"]
            or out["methods"] or any(out[n] for n in TEXT_FIELDS)):
        raise DomainError("Tell us at least one thing: a name, a route or what happened.",
                          "details")
    return out


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def receive_report(*, organisation: Organisation, channel: str, data, source: str,
                   actor: Actor | None = None, case=None, link: bool = False,
                   address: str = "") -> Report:
    """Store one report, cut off from whoever sent it.

    ``source`` identifies the sender for this request only (see ``sources``); it is
    hashed with the day's key and forgotten. ``actor`` is the caseworker passing on what a
    survivor told them (channel ``caseworker``); with ``link`` and ``case`` the report is
    linked to the case, which needs the survivor's ``intelligence_link`` consent in force.
    """
    cleaned = clean(data)
    decision = None
    if link:
        if case is None:
            raise DomainError("Choose the case to link the report to.", "link")
        decision = may_flow(case.survivor, ConsentPurpose.INTELLIGENCE_LINK)
        if not decision:
            raise DomainError("She has not given her consent to link a report to her case "
                              "(record it first, or send the report without a link).", "link")
    sender = Source(source, address=address)
    if not sender.take_turn():
        raise RateLimited("Thank you. We have received several reports from this device "
                          "today; please try again tomorrow.", "report")
    with transaction.atomic():
        report = Report.objects.create(
            organisation=organisation, channel=channel, week=week_of(timezone.localdate()),
            country=cleaned["country"], province=cleaned["province"],
            from_country=cleaned["from_country"], to_country=cleaned["to_country"],
            via_countries=cleaned["via"], methods=cleaned["methods"],
            details=json.dumps({n: cleaned[n] for n in TEXT_FIELDS}, ensure_ascii=False),
        )
        for field_name, kind in NAME_FIELDS.items():
            for name in cleaned[field_name]:
                digests = keys.entity_digests(kind, name)
                if digests is None:
                    continue
                key, grams = digests
                report.mentions.create(kind=kind, name=name, key=key, grams=grams,
                                       independent=sender.first_naming(f"{kind}:{key}"))
        who = actor if actor is not None else Actor(user=None, organisation=organisation,
                                                    role=None, channel=_audit_channel(channel))
        audit.record(who, "create", "intelligence_report", note=f"received ({channel})")
        if decision is not None:
            made = CaseLink.objects.create(report=report, case=case, consent=decision.consent)
            audit.record(actor, "create", "intelligence_case_link", made.pk,
                         survivor_ref=case.survivor.reference,
                         note="with the survivor's intelligence_link consent")
    return report


def _audit_channel(channel: str) -> str:
    return "portal" if channel == Channel.PORTAL else "web"


def review_report(actor: Actor, report: Report, *, decision: str, note: str = "") -> Report:
    """An analyst's review: ``accept`` (credible: it may count towards shared patterns) or
    ``remove`` (false or malicious: its names are erased and it counts nowhere)."""
    if decision not in ("accept", "remove"):
        raise DomainError("Choose accept or remove.", "decision")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise DomainError(f"must be at most {MAX_TEXT} characters", "note")
    if decision == "remove" and not note:
        raise DomainError("Say why the report is removed.", "note")
    if report.status == ReviewStatus.REMOVED:
        raise DomainError("This report was removed; its names are gone.", "decision")
    with transaction.atomic():
        report.status = ReviewStatus.ACCEPTED if decision == "accept" else ReviewStatus.REMOVED
        report.reviewed_by = actor.user
        report.reviewed_on = timezone.localdate()
        report.review_note = note
        fields = ["status", "reviewed_by", "reviewed_on", "review_note"]
        if decision == "remove":
            # A name that may be an innocent person's is not kept once the report is judged
            # false: the names go, and the details with them.
            report.mentions.all().delete()
            report.details = ""
            report.province = ""
            fields += ["details", "province"]
        report.save(update_fields=fields)
        audit.record(actor, "update", "intelligence_report", report.pk, fields=fields,
                     note=f"review: {decision}")
    return report


def set_sharing(actor: Actor, *, with_organisations: bool, with_law_enforcement: bool,
                receives_anonymous: bool) -> SharingSetting:
    with transaction.atomic():
        setting, _ = SharingSetting.objects.get_or_create(organisation=actor.organisation)
        setting.with_organisations = with_organisations
        setting.with_law_enforcement = with_law_enforcement
        setting.receives_anonymous = receives_anonymous
        setting.save()
        audit.record(actor, "update", "intelligence_sharing", setting.pk,
                     fields=["with_organisations", "with_law_enforcement",
                             "receives_anonymous"])
    return setting
