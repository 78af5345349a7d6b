"""Keyset ("cursor") paging and capped counts: lists whose cost does not grow with the table.

OFFSET paging reads and throws away every row before the page, and an exact ``COUNT(*)``
reads every row of the organisation; both grow with its size. Here a page is "the next
``size`` rows after this one" in the list's own ordering, a range of the index that matches
it, and a count stops at ``COUNT_CAP + 1`` rows unless an exact one is asked for.

A cursor names the ordering values of the last row shown. It is signed (Django's
``signing``, salted with the model and ordering), so a cursor that was altered, or that
belongs to another list, is refused with a ``DomainError`` naming ``cursor`` (a 422),
never a 500 and never a different page than the one promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Q, QuerySet

from northstar.core.errors import DomainError

#: Counts stop here: "10,000+" is as useful to a person as 103,541 and costs a bounded read.
COUNT_CAP = 10_000

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


def count(queryset: QuerySet, *, exact: bool = False) -> Count:
    """How many rows ``queryset`` has, reading at most ``COUNT_CAP + 1`` unless ``exact``."""
    if not isinstance(queryset, QuerySet):  # a list already in memory
        return Count(len(queryset), True)
    rows = unjoined(queryset).order_by()
    if exact:
        return Count(rows.count(), True)
    n = rows.values("pk")[: COUNT_CAP + 1].count()
    return Count(min(n, COUNT_CAP), n <= COUNT_CAP)


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


def cursor_after(queryset: QuerySet, row: Any, order: list[tuple[Field, bool]]) -> str:
    """An opaque cursor meaning "the rows after ``row``" in this list."""
    values = [f.value_to_string(row) for f, _ in order]
    return signing.dumps(values, salt=_salt(queryset, order), compress=False)


def _decode(queryset: QuerySet, cursor: str, order) -> list[Any]:
    bad = DomainError("is not a cursor this list gave: start again from the first page",
                      "cursor")
    try:
        raw = signing.loads(cursor, salt=_salt(queryset, order))
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise bad from None
    if not isinstance(raw, list) or len(raw) != len(order) or not all(
            isinstance(v, str) for v in raw):
        raise bad
    try:
        return [field.to_python(value) for (field, _), value in zip(order, raw, strict=True)]
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise bad from None


def after(queryset: QuerySet, cursor: str) -> QuerySet:
    """``queryset`` from just after the row ``cursor`` names, in its own ordering."""
    order = ordering(queryset)
    if order is None:
        raise DomainError("this list is paged by page number, not by cursor", "cursor")
    values = _decode(queryset, cursor, order)
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
         offset: int = 0) -> Page:
    """One page of ``size`` rows: after ``cursor`` if given (keyset), else from ``offset``
    (page numbers, kept for compatibility). ``next`` is a cursor to the following page, or
    ``None`` on the last page or when the list's ordering cannot be paged by keyset."""
    order = ordering(queryset)
    if cursor:
        queryset = after(queryset, cursor)
        offset = 0
    if offset and isinstance(queryset, QuerySet):
        # A page number: the rows skipped are read as ids only (the list's index, not its
        # sealed columns), then the page's own rows are fetched by primary key.
        window = unjoined(queryset).values("pk")[offset: offset + size + 1]
        rows = list(queryset.filter(pk__in=window))
    else:
        rows = list(queryset[offset: offset + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    following = cursor_after(queryset, rows[-1], order) if more and order and rows else None
    return Page(rows, following)
