"""Where apps put their part of the shared pages, without editing them.

The survivor/case page and the caseload page belong to ``web``; this registry
sits below every app (it imports no app), so apps register into it without
importing ``northstar.web``. Each app adds
a panel (a template and a function giving its context) or a source of caseload
alerts, registered from its ``AppConfig.ready()``. Panels render in ``order``.

    register_case_panel("plan", "pathways/panels/plan.html", plan_context, order=30)

A context function takes ``(request, case)`` and returns a dict, or None to hide
the panel. An alert source takes ``(actor, *, limit)`` and returns at most ``limit``
``Alert`` items (or ``ShownAlert``: worded only if shown), the most urgent first, chosen
in SQL (see ``register_alert_source``).

Where a case panel sits on the "at a glance" page follows its ``order``:
below 20 the top band, full width (where the survivor is in the justice chain,
what they asked for); 20–79 the grid of cards (delivery per outcome, Do No Harm,
money, referrals); 80 and above the detail band at the bottom (history, notes).
A ready-made template for a titled list is ``web/panel_list.html`` (context
``{"key", "title", "items": [{"label", "url", "note"}], "empty"}``).
A panel that raises a domain error (``DomainError``, e.g. a rule file it
cannot read, or a ``Conflict``) is shown as "could not be shown" instead of
breaking the page, so one app's refusal never hides a survivor's case from their
caseworker; one that answers ``NotFound``/``Forbidden``/``Http404`` is simply
not shown. A programming error (``TypeError``, ``KeyError``…) is not swallowed:
it is a bug and must fail loudly.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from northstar import policy
from northstar.core.errors import DomainError, Forbidden, NotFound
from northstar.core.template_tags import reverse_kept

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable
    order: int = 50
    #: Also shown to a referral recipient (whose survivor page shows only shared fields);
    #: its context function decides what, if anything, they may see.
    for_recipients: bool = False


@dataclass(frozen=True, order=True)
class Alert:
    """Something a caseworker must act on; overdue ones sort first on the caseload."""

    due: dt.date | None
    title: str = field(compare=False)
    url: str = field(compare=False, default="")
    severity: str = field(compare=False, default="info")  # info | warning | overdue
    survivor_reference: str = field(compare=False, default="")


class ShownAlert:
    """An alert known first by what the caseload's merge and table need (its due date,
    severity and survivor), its words and link worked out only if it is shown.

    A source reads its candidates as plain rows (``values()``: no model instance), the
    merge keeps the most urgent few of every source's, and the page shows ten: the title
    and URL (translations, money, URL reversal) are made for those ten only. Read like an
    ``Alert`` (``title`` and ``url`` are worked out on first use, then kept)."""

    __slots__ = ("due", "severity", "survivor_reference", "_words", "_shown")

    def __init__(self, due: dt.date | None, severity: str, survivor_reference: str,
                 words: Callable[[], tuple[str, str]]):
        self.due = due
        self.severity = severity
        self.survivor_reference = survivor_reference
        self._words = words
        self._shown: tuple[str, str] | None = None

    def _worded(self) -> tuple[str, str]:
        if self._shown is None:
            self._shown = self._words()
        return self._shown

    @property
    def title(self) -> str:
        return self._worded()[0]

    @property
    def url(self) -> str:
        return self._worded()[1]

    @property
    def worded(self) -> bool:
        """Whether its words were worked out (a test's window on "only the shown")."""
        return self._shown is not None

    def __repr__(self) -> str:
        return f"ShownAlert({self.due!r}, {self.severity!r}, {self.survivor_reference!r})"


_case_panels: dict[str, Panel] = {}
_survivor_panels: dict[str, Panel] = {}
_alert_sources: dict[str, Callable] = {}
_survivor_alert_sources: dict[str, Callable] = {}


def register_case_panel(key: str, template: str, context: Callable, order: int = 50) -> None:
    _case_panels[key] = Panel(key, template, context, order)


def register_survivor_panel(key: str, template: str, context: Callable, order: int = 50,
                            *, for_recipients: bool = False) -> None:
    _survivor_panels[key] = Panel(key, template, context, order, for_recipients)


def register_alert_source(key: str, source: Callable, *,
                          for_survivor: Callable | None = None) -> None:
    """``source(actor, *, limit)`` gives the caseload's alerts: at most ``limit`` of them,
    the most urgent first (overdue, then warning, then info; earliest due first within
    each), chosen in SQL (ORDER BY … LIMIT), so an organisation of 100,000 survivors is
    never worked out on a page. ``for_survivor(actor, survivor)``, when given, gives one
    survivor's alerts for the case page with a query scoped to them; without it the case
    page filters ``source``'s (bounded by the same limit). A source that takes no
    ``limit`` (``source(actor)``) is still accepted: its list is sorted and cut here."""
    _alert_sources[key] = source if _takes_limit(source) else _cut(source)
    if for_survivor is not None:
        _survivor_alert_sources[key] = for_survivor
    else:
        _survivor_alert_sources.pop(key, None)


def _takes_limit(source: Callable) -> bool:
    try:
        params = inspect.signature(source).parameters
    except (TypeError, ValueError):
        return False
    return "limit" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _cut(source: Callable) -> Callable:
    def limited(actor, *, limit=None):
        items = sorted(source(actor), key=urgency)
        return items if limit is None else items[:limit]
    return limited


def case_panels() -> list[Panel]:
    return sorted(_case_panels.values(), key=lambda p: (p.order, p.key))


def survivor_panels(*, recipient: bool = False) -> list[Panel]:
    """The survivor page's panels; for a referral recipient only those meant for them."""
    return sorted((p for p in _survivor_panels.values() if p.for_recipients or not recipient),
                  key=lambda p: (p.order, p.key))


TOP_BAND_BELOW = 20
DETAIL_BAND_FROM = 80


def _area(order: int) -> str:
    if order < TOP_BAND_BELOW:
        return "top"
    return "detail" if order >= DETAIL_BAND_FROM else "grid"


def once_per_request(request, key, compute: Callable):
    """What ``compute()`` gave the first time this request asked for ``key``: two panels of
    one page that show the same thing (the organisation's staff in two forms, the case's
    current priorities) read it once. Kept on the request, so never across requests."""
    memo = request.__dict__.setdefault("_northstar_once", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def staff_choices(request) -> list[tuple[int, str]]:
    """The reader's organisation's staff to whom a case or a task may be given, as form
    choices (name, or user name when there is none), in user-name order; read once a
    request (the case page's task form and assign form both offer them)."""
    organisation = request.actor.organisation

    def read() -> list[tuple[int, str]]:
        staff = policy.staff_who_work_with_records_by_username(organisation)
        return [(u.pk, u.get_full_name() or u.get_username()) for u in staff]

    return once_per_request(request, ("staff_choices", getattr(organisation, "pk", None)), read)


#: Stands for the number in ``url_for_each``'s one reversal: no real key is this large.
_KEY = 987654321987654321


def url_for_each(viewname: str) -> Callable[[int], str]:
    """``reverse(viewname, args=[pk])`` for many keys of one view (a list of alerts), with
    one reversal instead of one per key: the URL is reversed once with a stand-in number
    and the key put in its place. That one reversal is kept per shape, language and script
    prefix as ``{% url %}``'s are (``core.template_tags.reverse_kept``)."""
    head, found, tail = reverse_kept(viewname, (_KEY,), {}, None).partition(str(_KEY))
    if not found:  # a converter that does not print the number as given
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"


#: A panel raising one of these is not for this reader: it is left out, silently.
HIDDEN = (NotFound, Forbidden, Http404, PermissionDenied)


def render_panels(panels: list[Panel], request, obj) -> list[dict]:
    rendered = []
    for panel in panels:
        try:
            context = panel.context(request, obj)
        except HIDDEN:
            continue
        except DomainError as exc:
            logger.warning("case/survivor panel %r could not be shown: %s", panel.key, exc)
            rendered.append({"key": panel.key, "template": "web/_panel_failed.html",
                             "context": {"key": panel.key}, "area": _area(panel.order)})
            continue
        if context is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": context,
                             "area": _area(panel.order)})
    return rendered


#: How urgent each severity is: the order every source and the merge follow.
SEVERITY_RANK = {"overdue": 0, "warning": 1, "info": 2}

#: How many alerts ``alerts_for`` asks each source for when not told.
ALERT_LIMIT = 200


def urgency(alert: Alert | ShownAlert) -> tuple:
    """The sort key of alerts: overdue first, then by due date."""
    return (SEVERITY_RANK.get(alert.severity, 3), alert.due or dt.date.max)


def alerts_for(actor, *, survivor=None, limit: int | None = ALERT_LIMIT) -> list[Alert]:
    """The actor's most urgent alerts (about one ``survivor`` when given), overdue first,
    then by due date: at most ``limit`` on the caseload, each source asked for its own
    ``limit`` most urgent and the answers merged (so fewer than ``limit + 1`` back means
    there are no more). For one survivor, every alert of theirs (a query scoped to them)."""
    items: list[Alert] = []
    for key, source in _alert_sources.items():
        scoped = _survivor_alert_sources.get(key) if survivor is not None else None
        try:
            if scoped is not None:
                items.extend(scoped(actor, survivor))
            elif survivor is not None:
                items.extend(a for a in source(actor, limit=limit)
                             if a.survivor_reference == survivor.reference)
            else:
                items.extend(source(actor, limit=limit))
        except HIDDEN:
            continue
        except DomainError as exc:
            logger.warning("caseload alert source %r could not answer: %s", key, exc)
    items.sort(key=urgency)
    return items if survivor is not None or limit is None else items[:limit]


class AlertPage:
    """One page of the caseload's alerts, shaped like a Django ``Page`` for the pager.

    Built from the ``(number + look_ahead) * per_page + 1`` most urgent alerts: the page's
    own, and enough after it to say how many pages follow, up to ``look_ahead`` of them
    ("Page 1 of 5+" when there are more than that)."""

    LOOK_AHEAD = 4
    MAX_PAGE = 100

    def __init__(self, actor, number, *, per_page: int = 10, at_least: int = 0):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        number = min(max(number, 1), self.MAX_PAGE)
        want = max((number + self.LOOK_AHEAD) * per_page, at_least)
        self.alerts = alerts_for(actor, limit=want + 1)
        more = len(self.alerts) > want
        shown = self.alerts[:want]
        pages = max(1, -(-len(shown) // per_page))
        self.number = min(number, pages)
        self.object_list = shown[(self.number - 1) * per_page:self.number * per_page]
        self.paginator = _AlertPager(pages, more)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


class _PagesAtLeast(int):
    """A page total that is a floor ("5+"): compares as the number, reads with a plus."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class _AlertPager:
    def __init__(self, pages: int, more: bool):
        self.num_pages = _PagesAtLeast(pages) if more else pages
