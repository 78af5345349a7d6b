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


RECOUNT_JOB = "intelligence.recount_patterns"


def _fresh(snapshot: PatternSnapshot, version: str) -> bool:
    return bool(snapshot.data) and snapshot.counted_generation == snapshot.generation \
        and snapshot.rules_version == version


def _snapshots() -> list[PatternSnapshot]:
    """Both audiences' rows (made on first use), organisations first."""
    found = {s.law_enforcement: s for s in PatternSnapshot.objects.all()}
    for law_enforcement in (False, True):
        if law_enforcement not in found:
            found[law_enforcement], _ = PatternSnapshot.objects.get_or_create(
                law_enforcement=law_enforcement)
    return [found[False], found[True]]


def request_recount():
    """Submit the recount job if a snapshot is stale, and return it (``None`` when every
    snapshot is current). Idempotent: the key names the generation the snapshots were last
    counted at and the rule set, so every invalidation before the job starts (a batch of
    reviews, two instances) finds the same job and one run counts them all; the job recounts
    again itself if more came in while it ran (``recount``)."""
    from northstar.core import jobs
    from northstar.core.models import Job

    version = str(engine.rules().version)
    snapshots = _snapshots()
    if all(_fresh(s, version) for s in snapshots):
        return None
    counted = min(s.counted_generation for s in snapshots)
    key = f"{RECOUNT_JOB}:{counted}:{version}"
    job = jobs.submit(RECOUNT_JOB, key=key)
    if job.status in (Job.Status.DONE, Job.Status.FAILED):
        # That run finished (or failed) and the snapshots are stale again since: one run
        # per generation from here on.
        job = jobs.submit(RECOUNT_JOB, key=f"{key}:{max(s.generation for s in snapshots)}")
    return job


def recount(*, attempts: int = 3) -> dict:
    """The job's work: count each stale audience and store it unless a review or a sharing
    change came in meanwhile (compare-and-set on ``generation``); then it counts again, up
    to ``attempts`` times, so changes that arrive during a run need no second job."""
    version = str(engine.rules().version)
    counted = {}
    for _ in range(attempts):
        stale = [s for s in _snapshots() if not _fresh(s, version)]
        if not stale:
            break
        for snapshot in stale:
            stored = _compute(snapshot.law_enforcement)
            # Stored only if nothing changed what it counts while it was counted: a newer
            # generation means what was read may already be out of date (or withdrawn).
            if PatternSnapshot.objects.filter(pk=snapshot.pk,
                                              generation=snapshot.generation).update(
                    data=json.dumps(stored, ensure_ascii=False), rules_version=version,
                    counted_generation=snapshot.generation, computed_at=timezone.now()):
                counted["law_enforcement" if snapshot.law_enforcement
                        else "organisations"] = snapshot.generation
    return counted


def _patterns(law_enforcement: bool) -> dict:
    """The patterns from the audience's snapshot (one row, one query), never counted here:
    the count is a job (``recount``). A stale snapshot is shown with the time it was
    counted and the state of the recount; a withdrawn one (a report removed, an
    organisation no longer sharing) shows nothing until it is counted again."""
    version = str(engine.rules().version)
    snapshot, _ = PatternSnapshot.objects.get_or_create(law_enforcement=law_enforcement)
    current = _fresh(snapshot, version)
    job = None if current else request_recount()
    if job is not None and _ran_here():
        # The inline runner (``make run``) ran it just now, outside a transaction (after a
        # migration or a new rule file: a review runs it itself): read what it stored.
        # With Celery the job only waits, and the page says so.
        job.refresh_from_db(fields=["status"])
        if job.status == job.Status.DONE:
            snapshot = PatternSnapshot.objects.get(pk=snapshot.pk)
            current = _fresh(snapshot, version)
    stored = json.loads(reveal(snapshot.data)) if snapshot.data else {
        "entities": [], "routes": [], "timeline": []}
    labels = dict(Mention._meta.get_field("kind").choices)
    entities = [Pattern(kind=str(labels.get(e["kind"], e["kind"])), name=e["name"],
                        reports=e["reports"], organisations=e["organisations"])
                for e in stored["entities"]]
    return {"entities": entities,
            "routes": {(period, a, b): n for period, a, b, n in stored["routes"]},
            "timeline": dict(stored["timeline"]), "rules": engine.rules(),
            "current": current, "counted": bool(snapshot.data),
            "counted_at": snapshot.computed_at if snapshot.data else None,
            "recount": _recount_state(job)}


def _ran_here() -> bool:
    """Whether a job submitted just now has already run in this process: the inline runner
    runs it at once when no transaction is open (``transaction.on_commit``)."""
    from django.db import transaction

    from northstar.core import jobs

    return jobs.runner() == "inline" and not transaction.get_connection().in_atomic_block


def _recount_state(job) -> str | None:
    """"under_way" (queued or running), "failed", or None (nothing to count)."""
    if job is None:
        return None
    from northstar.core.models import Job

    return "failed" if job.status == Job.Status.FAILED else (
        None if job.status == Job.Status.DONE else "under_way")


def invalidate_patterns(*, withdraw=(False, False)) -> None:
    """What the shared patterns count has changed: every audience's snapshot is stale and
    the recount job is submitted (once however many changes come before it runs). An
    audience in ``withdraw`` (organisations, law enforcement) loses its figures at once:
    something they counted may no longer be counted (a report judged false, an
    organisation that stopped sharing), so they are not shown, even as stale."""
    PatternSnapshot.objects.update(generation=F("generation") + 1)
    for law_enforcement, gone in zip((False, True), withdraw, strict=True):
        if gone:
            PatternSnapshot.objects.filter(law_enforcement=law_enforcement).update(data="")
    request_recount()


def shared_patterns(actor: Actor) -> dict:
    """The patterns this actor may see: law enforcement the stricter list of organisations
    that share with it; an analyst the list of organisations that share with each other,
    only while their own organisation shares too (what is shared is what is seen)."""
    if not policy.may_see_shared_patterns(actor):
        raise NotFound("No such page")
    law_enforcement = policy.is_law_enforcement(actor)
    if not law_enforcement and not sharing_of(actor.organisation).with_organisations:
        found = {"entities": [], "routes": {}, "timeline": {}, "rules": engine.rules(),
                 "not_sharing": True, "current": True, "counted": False, "counted_at": None,
                 "recount": None}
    else:
        found = _patterns(law_enforcement)
    audit.record_read(actor, (), record_type="intelligence_pattern",
                      note=f"shared patterns: {len(found['entities'])} entities, "
                           f"{len(found['routes'])} routes")
    found["law_enforcement"] = law_enforcement
    return found
