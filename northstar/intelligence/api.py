"""Anonymous intelligence for deterrence: what workers and survivors know of routes,
recruiters, agencies and employers, cut off from any case record the moment it is
reported, and shared between organisations only as corroborated patterns.

Over JSON: the shared patterns only (what ``/intelligence/patterns/`` shows). Reports are
made on the pages (the anonymous one needs no account) and read there by analysts.
"""

import datetime as dt

from ninja import Router, Schema

from northstar.apiutils import actor_of
from northstar.intelligence import selectors

router = Router(tags=["intelligence"])


class PatternOut(Schema):
    kind: str
    name: str
    reports: int
    organisations: int


class RouteOut(Schema):
    month: str
    from_country: str
    to_country: str
    reports: int


class PatternsOut(Schema):
    law_enforcement: bool
    sharing: bool
    entities: list[PatternOut]
    routes: list[RouteOut]
    months: dict[str, int | None]
    #: When the figures were counted (None: not counted yet, or withdrawn until recounted).
    counted_at: dt.datetime | None
    #: False while reviews or sharing changed since the count: the figures may be out of date.
    current: bool
    #: "under_way" while the recount job is queued or running, "failed", or None.
    recount: str | None


@router.get("/intelligence/patterns", response=PatternsOut)
def shared_patterns(request):
    """Entities named in enough independent reviewed reports, routes used in enough reports
    in a month, reviewed reports per month (small months blank): never a report. Analysts
    (supervisors) of an organisation that shares, or case staff of law enforcement; 404
    otherwise."""
    found = selectors.shared_patterns(actor_of(request))
    return {
        "law_enforcement": found["law_enforcement"],
        "sharing": not found.get("not_sharing", False),
        "entities": [vars(p) for p in found["entities"]],
        "routes": [{"month": m, "from_country": a, "to_country": b, "reports": n}
                   for (m, a, b), n in found["routes"].items()],
        "months": found["timeline"],
        "counted_at": found["counted_at"],
        "current": found["current"],
        "recount": found["recount"],
    }
