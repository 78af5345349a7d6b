"""Reads of the intelligence app, each starting from a permission of the policy.

- ``visible_reports``: an analyst's own organisation's reports, every status.
- ``shared_patterns``: what leaves an organisation — entities and routes only, counted
  over *reviewed* (accepted) reports of the organisations that share, and only where
  enough independent reports agree (``rules/intelligence.toml``). No report, no id, no
  detail, no organisation name is part of a pattern.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from northstar import policy
from northstar.core import audit, disclosure
from northstar.core.actor import Actor
from northstar.core.errors import NotFound
from northstar.core.fields import reveal
from northstar.core.models import Organisation
from northstar.intelligence.models import (
    Mention,
    PatternSnapshot,
    Report,
    ReviewStatus,
    SharingSetting,
)
from northstar.intelligence.rules import engine


def visible_reports(actor: Actor) -> QuerySet[Report]:
    if not policy.may_analyse_intelligence(actor):
        return Report.objects.none()
    return Report.objects.filter(organisation=actor.organisation)


def report_for(actor: Actor, report_id) -> Report:
    return policy.one_of(visible_reports(actor), report_id, "report")


def list_reports(actor: Actor, *, status: str | None = None) -> list[Report]:
    reports = visible_reports(actor).prefetch_related("mentions")
    if status in ReviewStatus.values:
        reports = reports.filter(status=status)
    shown = list(reports[:200])
    audit.record_read(actor, shown, record_type="intelligence_report")
    return shown


def open_report(actor: Actor, report: Report) -> dict:
    """The report in the clear for its organisation's analyst; the read is audited."""
    details = json.loads(reveal(report.details) or "{}")
    mentions = [{"kind": m.get_kind_display(), "name": reveal(m.name),
                 "independent": m.independent} for m in report.mentions.all()]
    audit.record_read(actor, report, record_type="intelligence_report",
                      fields=["details", "province", "mentions"])
    return {"details": details, "province": reveal(report.province), "mentions": mentions}


def sharing_of(organisation: Organisation) -> SharingSetting:
    return (SharingSetting.objects.filter(organisation=organisation).first()
            or SharingSetting(organisation=organisation))


def anonymous_recipients() -> QuerySet[Organisation]:
    """Organisations the anonymous page offers: those that chose to receive its reports."""
    return Organisation.objects.filter(on_platform=True,
                                       intelligence_sharing__receives_anonymous=True)


@dataclass
class Pattern:
    kind: str
    name: str
    reports: int
    organisations: int


def _sharing_organisations(law_enforcement: bool) -> QuerySet[SharingSetting]:
    flag = "with_law_enforcement" if law_enforcement else "with_organisations"
    return SharingSetting.objects.filter(**{flag: True}).values("organisation_id")


def _compute(law_enforcement: bool) -> dict:
    """Every reviewed mention of the sharing organisations, matched by the engine: the
    whole count, run only when the snapshot is stale (``_patterns``). Plain data (JSON)."""
    reports = Report.objects.filter(status=ReviewStatus.ACCEPTED,
                                    organisation_id__in=_sharing_organisations(law_enforcement))
    mentions = list(Mention.objects.filter(report__in=reports)
                    .values("id", "report_id", "report__organisation_id", "kind", "key",
                            "grams", "independent"))
    engine_mentions = [engine.Mention(report=m["report_id"],
                                      organisation=m["report__organisation_id"],
                                      kind=m["kind"], key=m["key"],
                                      grams=frozenset(m["grams"]),
                                      independent=m["independent"]) for m in mentions]
    entities = engine.shared_entities(engine_mentions, law_enforcement=law_enforcement)
    # Only the names of corroborated entities are opened: the spelling reported most often.
    keys = {(e.kind, k) for e in entities for k in e.keys}
    names: dict[tuple[str, str], Counter] = {}
    for kind, key, name in (Mention.objects.filter(report__in=reports,
                                                   key__in={k for _, k in keys})
                            .values_list("kind", "key", "name")):  # no model per mention
        names.setdefault((kind, key), Counter())[reveal(name).strip()] += 1
    found = []
    for e in entities:
        spellings = Counter()
        for k in e.keys:
            spellings.update(names.get((e.kind, k), Counter()))
        name = min(spellings, key=lambda s: (-spellings[s], s)) if spellings else ""
        found.append({"kind": e.kind, "name": name, "reports": len(e.reports),
                      "organisations": len(e.organisations)})
    route_rows = reports.values_list("week", "from_country", "to_country", "pk")
    routes = engine.shared_routes((w.strftime("%Y-%m"), a, b, pk) for w, a, b, pk in route_rows)
    months = Counter(w.strftime("%Y-%m") for w, *_ in route_rows)
    timeline = disclosure.suppress(dict(sorted(months.items())), additive=False, blank=None)
    return {"entities": found, "routes": [[*k, n] for k, n in routes.items()],
            "timeline": list(timeline.items())}


def _patterns(law_enforcement: bool) -> dict:
    """The patterns from the audience's snapshot (one row, one query), worked out again
    only when a review or a sharing setting has changed what they count since."""
    version = str(engine.rules().version)
    snapshot, _ = PatternSnapshot.objects.get_or_create(law_enforcement=law_enforcement)
    if snapshot.data and snapshot.rules_version == version:
        stored = json.loads(reveal(snapshot.data))
    else:
        stored = _compute(law_enforcement)
        # Stored only if no review or sharing change came in while it was counted: a newer
        # generation means what was read may already be out of date.
        PatternSnapshot.objects.filter(pk=snapshot.pk, generation=snapshot.generation).update(
            data=json.dumps(stored, ensure_ascii=False), rules_version=version,
            computed_at=timezone.now())
    labels = dict(Mention._meta.get_field("kind").choices)
    entities = [Pattern(kind=str(labels.get(e["kind"], e["kind"])), name=e["name"],
                        reports=e["reports"], organisations=e["organisations"])
                for e in stored["entities"]]
    return {"entities": entities,
            "routes": {(period, a, b): n for period, a, b, n in stored["routes"]},
            "timeline": dict(stored["timeline"]), "rules": engine.rules()}


def invalidate_patterns() -> None:
    """What the shared patterns count has changed: every audience's snapshot is stale."""
    PatternSnapshot.objects.update(generation=F("generation") + 1, data="")


def shared_patterns(actor: Actor) -> dict:
    """The patterns this actor may see: law enforcement the stricter list of organisations
    that share with it; an analyst the list of organisations that share with each other,
    only while their own organisation shares too (what is shared is what is seen)."""
    if not policy.may_see_shared_patterns(actor):
        raise NotFound("No such page")
    law_enforcement = policy.is_law_enforcement(actor)
    if not law_enforcement and not sharing_of(actor.organisation).with_organisations:
        found = {"entities": [], "routes": {}, "timeline": {}, "rules": engine.rules(),
                 "not_sharing": True}
    else:
        found = _patterns(law_enforcement)
    audit.record_read(actor, (), record_type="intelligence_pattern",
                      note=f"shared patterns: {len(found['entities'])} entities, "
                           f"{len(found['routes'])} routes")
    found["law_enforcement"] = law_enforcement
    return found
