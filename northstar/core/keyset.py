"""Keyset ("cursor") paging and capped counts: lists whose cost does not grow with the table.

OFFSET paging reads and throws away every row before the page, and an exact ``COUNT(*)``
reads every row of the organisation; both grow with its size. Here a page is "the next
``size`` rows after this one" in the list's own ordering, a range of the index that matches
it, and a count stops at ``count_cap() + 1`` rows (``NORTHSTAR_LIST_COUNT_CAP``) unless
an exact one is asked for.

A cursor names the ordering values of the last row shown. It is signed (Django's
``signing``, salted with the model and ordering), so a cursor that was altered, or that
belongs to another list, is refused with a ``DomainError`` naming ``cursor`` (a 422),
never a 500 and never a different page than the one promised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Field, Q, QuerySet

from northstar.core import anchors
from northstar.core.errors import DomainError
from northstar.core.prepared import Recipe, count_sql


def count_cap() -> int:
    """Where counts stop (``NORTHSTAR_LIST_COUNT_CAP``, 1,000 by default): "1,000+" is as
    useful to a person as 103,541 and costs a bounded read of the list's index."""
    return settings.NORTHSTAR_LIST_COUNT_CAP


_SALT = "northstar.keyset"


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool

    def __str__(self) -> str:
        return f"{self.value:,}" + ("" if self.exact else "+")


def unjoined(queryset):
    """The same rows without the joins a ``values()`` of related columns added, when the
    list was made so (``apiutils.rows_of``): what counting and skipping need."""
    return getattr(queryset, "_unjoined", queryset)


def capped(n: int, cap: int) -> Count:
    """The count of ``n`` rows read with at most ``cap + 1`` asked for."""
    return Count(min(n, cap), n <= cap)


def count(queryset: QuerySet, *, exact: bool = False) -> Count:
    """How many rows ``queryset`` has, reading at most ``count_cap() + 1`` unless ``exact``."""
    if not isinstance(queryset, QuerySet):  # a list already in memory
        return Count(len(queryset), True)
    cap = count_cap()
    made = Recipe.of(unjoined(queryset)) if _listed(queryset) else None
    if made is not None:  # the same statement, its SQL written once per process (and cap)
        recipe, values = made
        if exact:
            return Count(recipe.scalar(("count",), values, _rows_counted, using=queryset.db),
                         True)
        n = recipe.scalar(("capped count", cap), values, _capped_rows_counted(cap),
                          using=queryset.db)
        return capped(n, cap)
    if exact:
        return Count(_exact_count(unjoined(queryset)), True)
    return capped(unjoined(queryset).order_by().values("pk")[: cap + 1].count(), cap)


def _exact_count(rows: QuerySet) -> int:
    return rows.order_by().count()


def _rows_counted(rows: QuerySet, using: str) -> tuple[str, tuple]:
    return count_sql(rows.order_by().values("pk"), using)


def _capped_rows_counted(cap: int):
    """The statement counting at most ``cap + 1`` rows (the cap is written into its SQL as
    ``LIMIT``, so the recipe keeps one statement per cap: its shape names the cap)."""

    def _capped_rows_counted(rows: QuerySet, using: str) -> tuple[str, tuple]:
        return count_sql(rows.order_by().values("pk")[: cap + 1], using)

    return _capped_rows_counted


def _listed(queryset) -> bool:
    """Whether ``queryset`` is a list's rows as ``apiutils.rows_of`` made them, unchanged
    since (its unjoined queryset is then the one counted and paged)."""
    return getattr(queryset, "_unjoined", None) is not None


def ordering(queryset: QuerySet) -> list[tuple[Field, bool]] | None:
    """The queryset's ordering as ``(field, descending)`` pairs, when it can be paged by
    keyset: plain non-null columns of the model itself, ending in a unique one (the id).
    ``None`` when it cannot (no ordering, an annotation, a related field, a nullable one)."""
    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    names = list(query.order_by) or (
        list(queryset.model._meta.ordering or []) if query.default_ordering else [])
    if not names or query.extra_order_by:
        return None
    meta = queryset.model._meta
    out: list[tuple[Field, bool]] = []
    for name in names:
        if not isinstance(name, str) or name.startswith("?"):
            return None
        descending = name.startswith("-")
        name = name.lstrip("-+")
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or field.null or "__" in name:
            return None
        out.append((field, descending))
    last = out[-1][0]
    if not (last.primary_key or last.unique):
        return None
    return out


def _salt(queryset: QuerySet, order: list[tuple[Field, bool]]) -> str:
    names = ",".join(("-" if d else "") + f.attname for f, d in order)
    return f"{_SALT}:{queryset.model._meta.label_lower}:{names}"


def cursor_after(queryset: QuerySet, row: Any, order: list[tuple[Field, bool]],
                 count: Count | None = None) -> str:
    """An opaque cursor meaning "the rows after ``row``" in this list; with ``count``, the
    list's count as the page that gave it answered, which the pages after it answer again
    (``carried``) instead of counting."""
    values = [f.value_to_string(row) for f, _ in order]
    if count is not None:
        values.append(f"{count.value}{'' if count.exact else '+'}")
    return signing.dumps(values, salt=_salt(queryset, order), compress=False)


def _raw(queryset: QuerySet, cursor: str, order) -> list[str]:
    bad = DomainError("is not a cursor this list gave: start again from the first page",
                      "cursor")
    try:
        raw = signing.loads(cursor, salt=_salt(queryset, order))
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise bad from None
    if not isinstance(raw, list) or len(raw) not in (len(order), len(order) + 1) or not all(
            isinstance(v, str) for v in raw):
        raise bad
    if len(raw) > len(order) and _parse_count(raw[-1]) is None:
        raise bad
    return raw


def _parse_count(text: str) -> Count | None:
    digits = text.removesuffix("+")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return Count(int(digits), not text.endswith("+"))


def carried(queryset: QuerySet, cursor: str) -> Count | None:
    """The count the cursor carries from the page that gave it (``None`` for a cursor made
    without one, or a list that is not paged by cursor: then count, or refuse, as before).
    An altered cursor is refused here as ``after`` refuses it."""
    order = ordering(queryset)
    if order is None:
        return None
    raw = _raw(queryset, cursor, order)
    return _parse_count(raw[-1]) if len(raw) > len(order) else None


def _decode(queryset: QuerySet, cursor: str, order) -> list[Any]:
    bad = DomainError("is not a cursor this list gave: start again from the first page",
                      "cursor")
    raw = _raw(queryset, cursor, order)[: len(order)]
    try:
        return [field.to_python(value) for (field, _), value in zip(order, raw, strict=True)]
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise bad from None


def after(queryset: QuerySet, cursor: str) -> QuerySet:
    """``queryset`` from just after the row ``cursor`` names, in its own ordering."""
    order = ordering(queryset)
    if order is None:
        raise DomainError("this list is paged by page number, not by cursor", "cursor")
    return _after(queryset, order, _decode(queryset, cursor, order))


def _after(queryset: QuerySet, order, values: list) -> QuerySet:
    later = Q()
    for i, (field, descending) in enumerate(order):
        equal = {order[j][0].attname: values[j] for j in range(i)}
        later |= Q(**equal, **{f"{field.attname}__{'lt' if descending else 'gt'}": values[i]})
    first, descending = order[0]
    # The redundant bound on the first column is what lets the database start the index
    # range at the cursor (the OR alone would be read as a filter from the first row).
    bound = {f"{first.attname}__{'lte' if descending else 'gte'}": values[0]}
    return queryset.filter(Q(**bound) & later)


@dataclass
class Page:
    rows: list
    next: str | None


def page(queryset: QuerySet, *, size: int, cursor: str | None = None,
         offset: int = 0, count: Count | None = None) -> Page:
    """One page of ``size`` rows: after ``cursor`` if given (keyset), else from ``offset``
    (page numbers, kept for compatibility). ``next`` is a cursor to the following page
    (carrying ``count`` when given), or ``None`` on the last page or when the list's
    ordering cannot be paged by keyset."""
    order = ordering(queryset)
    if not offset and order is not None and _listed(queryset) and Recipe.of(
            unjoined(queryset)) is not None:
        rows = _prepared_page(queryset, order, size, cursor)
        if rows is not None:
            more = len(rows) > size
            rows = rows[:size]
            return Page(rows, cursor_after(queryset, rows[-1], order, count) if more else None)
    if cursor:
        queryset = after(queryset, cursor)
        offset = 0
    if offset and isinstance(queryset, QuerySet):
        # A page number: from the list's anchor just before it when it has them (a keyset
        # range and an OFFSET below ``anchors.every()``: ``core.anchors``), else the rows
        # skipped are read as ids only (the list's index, not its sealed columns), then the
        # page's own rows are fetched by primary key.
        rows = _anchored_page(queryset, order, size, offset) if order is not None else None
        if rows is None:
            rows = _prepared_numbered_page(queryset, size, offset) if (
                _listed(queryset) and Recipe.of(unjoined(queryset)) is not None) else None
        if rows is None:
            window = unjoined(queryset).values("pk")[offset: offset + size + 1]
            rows = list(queryset.filter(pk__in=window))
    else:
        rows = list(queryset[offset: offset + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    following = (cursor_after(queryset, rows[-1], order, count) if more and order and rows
                 else None)
    return Page(rows, following)


#: Per column type, a value no cursor ever names, standing in for the cursor's value when
#: a page's SQL is written once (``_prepared_page``); its index keeps two apart.
_STAND_INS = {
    "AutoField": lambda i: -7_320_000_000 - i,
    "BigAutoField": lambda i: -7_320_000_000 - i,
    "DateTimeField": lambda i: dt.datetime(1901, 1, 1, 0, 0, i, tzinfo=dt.UTC),
}


#: Stands in for a page number's rows skipped when its statement is written: larger than any
#: offset a request can ask for (``apiutils.MAX_PAGE`` × ``MAX_PAGE_SIZE``).
_OFFSET_STAND_IN = 7_320_000_099


def _numbered_window(rows: QuerySet, columns: tuple, size: int, offset) -> QuerySet:
    """The page of ``rows`` (``values(*columns)``) after ``offset`` rows: the rows skipped
    are read as ids only, then the page's rows by primary key."""
    window = rows.values("pk")[offset: offset + size + 1]
    return rows.values(*columns).filter(pk__in=window)


def _prepared_numbered_page(queryset: QuerySet, size: int, offset: int) -> list:
    """A page by number through the recipe the list was made with: the same statement as
    Django's (``_numbered_window``), written once per process and page size with the offset
    as a parameter (Django writes it into the SQL as a number, so every page number was
    another statement to write, and for PostgreSQL another one to plan)."""
    recipe, values = Recipe.of(unjoined(queryset))
    columns = tuple(queryset.query.values_select)
    row_of = queryset._iterable_class.row

    def transform(rows: QuerySet, skipped) -> QuerySet:
        return _numbered_window(rows, columns, size, skipped)

    found = recipe.rows(("numbered page", columns, size), values, transform,
                        extra=(offset,), extra_stand_ins=(_OFFSET_STAND_IN,), offset=0,
                        using=queryset.db)
    return [row_of(r) for r in found]


def _anchored_page(queryset: QuerySet, order, size: int, offset: int) -> list | None:
    """The page after ``offset`` rows positioned from the list's anchors (``core.anchors``),
    or ``None`` when it is not anchored (then OFFSET paging, as before)."""
    if not 0 < anchors.every() <= offset:
        return None  # a page before the first anchor: nothing asked, nothing written
    rows = unjoined(queryset)
    made = Recipe.of(rows) if _listed(queryset) else None
    target = anchors.listed(rows, order, made)
    if target is None:
        return None
    kinds = [f.get_internal_type() for f, _ in order]
    if made is not None and all(k in _STAND_INS for k in kinds):
        def run(after_values: list, skipped: int) -> list:
            return _prepared_anchored_page(queryset, order, size, after_values, skipped)
    else:
        def run(after_values: list, skipped: int) -> list:
            window = _after(rows, order, after_values).values("pk")[skipped: skipped + size + 1]
            return list(queryset.filter(pk__in=window))
    return anchors.page(target, offset, run)


def _prepared_anchored_page(queryset: QuerySet, order, size: int, after_values: list,
                            skipped: int) -> list:
    """The page of ``size + 1`` rows after the anchor row ``after_values``, ``skipped`` rows
    skipped, through the recipe the list was made with: its statement written once per
    process and page size, the anchor's values and the rows skipped as parameters."""
    recipe, values = Recipe.of(unjoined(queryset))
    fields = [f for f, _ in order]
    stand_ins = tuple(_STAND_INS[f.get_internal_type()](i) for i, f in enumerate(fields))
    connection = connections[queryset.db]
    adapt = tuple((lambda v, f=f: f.get_db_prep_value(f.get_prep_value(v), connection,
                                                       prepared=True)) for f in fields)
    columns = tuple(queryset.query.values_select)
    row_of = queryset._iterable_class.row

    def transform(rows: QuerySet, *extra) -> QuerySet:
        *anchor, skipped_ = extra
        window = _after(rows, order, list(anchor)).values("pk")[skipped_: skipped_ + size + 1]
        return rows.values(*columns).filter(pk__in=window)

    found = recipe.rows(("anchored page", columns, size), values, transform,
                        extra=(*after_values, skipped),
                        extra_stand_ins=(*stand_ins, _OFFSET_STAND_IN),
                        adapt=(*adapt, _as_is), offset=len(stand_ins), using=queryset.db)
    return [row_of(r) for r in found]


def _as_is(value):
    return value


def _prepared_page(queryset: QuerySet, order, size: int, cursor: str | None) -> list | None:
    """The page's rows, plus one, through the recipe the list was made with (its SQL written
    once per process for this ordering, size and "first page or after a cursor"); ``None``
    when a column of the ordering has no stand-in (then Django writes the SQL as usual)."""
    recipe, values = Recipe.of(unjoined(queryset))
    fields = [f for f, _ in order]
    kinds = [f.get_internal_type() for f in fields]
    if cursor and not all(k in _STAND_INS for k in kinds):
        return None
    after_values = tuple(_decode(queryset, cursor, order)) if cursor else ()
    stand_ins = tuple(_STAND_INS[k](i) for i, k in enumerate(kinds)) if cursor else ()
    connection = connections[queryset.db]
    adapt = tuple((lambda v, f=f: f.get_db_prep_value(f.get_prep_value(v), connection,
                                                       prepared=True)) for f in fields
                  ) if cursor else ()
    columns = tuple(queryset.query.values_select)
    row_of = queryset._iterable_class.row

    def transform(rows: QuerySet, *cursor_values) -> QuerySet:
        rows = rows.values(*columns)
        if cursor_values:
            rows = _after(rows, order, list(cursor_values))
        return rows[: size + 1]

    found = recipe.rows(("page", columns, size, bool(cursor)), values, transform,
                        extra=after_values, extra_stand_ins=stand_ins, adapt=adapt,
                        using=queryset.db)
    return [row_of(r) for r in found]


class Parts(tuple):
    """One list read as several querysets of one model and one ordering (descending on every
    column) that share no row: each is read through an index of its own, newest first, where
    their OR would be one bitmap of every row, sorted (``page_of_parts``). ``counted_in_order``:
    the positions of the parts whose capped count reads them in their ordering (through
    their ordered index), for a part whose condition PostgreSQL cannot estimate (it would
    read the table for the count of a few rows)."""

    counted_in_order: frozenset[int] = frozenset()

    def with_parts(self, parts) -> Parts:
        """The same kind of list, of ``parts`` (each part of this one, filtered)."""
        made = Parts(parts)
        made.counted_in_order = self.counted_in_order
        return made


def _capped_in_order(queryset: QuerySet) -> Count:
    cap = count_cap()
    return capped(queryset.values("pk")[: cap + 1].count(), cap)


def count_of_parts(parts: Parts, *, exact: bool = False) -> Count:
    counts = [_capped_in_order(part) if i in parts.counted_in_order and not exact
              else count(part, exact=exact) for i, part in enumerate(parts)]
    total = sum(c.value for c in counts)
    if exact:
        return Count(total, True)
    cap = count_cap()
    return Count(min(total, cap), total <= cap and all(c.exact for c in counts))


def page_of_parts(parts: Parts, *, size: int, cursor: str | None = None, offset: int = 0,
                  count: Count | None = None) -> Page:
    """One page of the union of ``parts``: up to ``offset + size + 1`` rows of each (after
    ``cursor``, through its own ordered index), merged in the list's ordering. The cursor is
    the one ``page`` gives for the first part's ordering, so it pages every part."""
    order = ordering(parts[0])
    if order is None or not all(descending for _, descending in order):
        raise ValueError("parts are paged newest first by a keyset ordering")
    if cursor:
        parts = parts.with_parts(after(part, cursor) for part in parts)
        offset = 0
    taken = [row for part in parts for row in part[: offset + size + 1]]
    taken.sort(key=lambda row: tuple(getattr(row, f.attname) for f, _ in order), reverse=True)
    rows = taken[offset: offset + size + 1]
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, cursor_after(parts[0], rows[-1], order, count) if more and rows else None)
