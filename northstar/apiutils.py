"""Small pieces every API router shares: the actor, strict schemas, pagination."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.http import HttpRequest
from ninja import Field, FilterSchema, Schema
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import DjangoGetter
from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)

from northstar.core import keyset
from northstar.core.actor import Actor
from northstar.core.edge import EARLIEST_DATE, NUL, latest_date
from northstar.core.prepared import Recipe, planned_each_run

MAX_PAGE_SIZE = 200
#: Far beyond any real caseload; keeps an absurd page number a 422, not a database overflow.
MAX_PAGE = 1_000_000


def _kinds(annotation) -> set:
    """The plain types an annotation admits (``date | None`` → {date, NoneType})."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is typing.Literal:
        return {type(v) for v in typing.get_args(annotation)}
    return {origin or annotation}


_NUMBERS = {int, float, Decimal}
_DATES = {dt.date, dt.datetime}


def _no_coercion(cls, value, info: ValidationInfo):
    """``false`` is not an age and ``0`` is not a date: refuse what lax parsing would coerce."""
    field = cls.model_fields.get(info.field_name) if info.field_name else None
    if field is None:
        return value
    kinds = _kinds(field.annotation)
    if isinstance(value, bool) and bool not in kinds and kinds & (_NUMBERS | _DATES | {str}):
        raise ValueError("must be a number or text, not true/false")
    if (isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            and kinds & _DATES and not kinds & (_NUMBERS | {str})):
        raise ValueError("must be a date written as YYYY-MM-DD, not a number")
    return value


def _walk(value, check: Callable[[Any], None]) -> None:
    check(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(key, check)
            _walk(item, check)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _walk(item, check)
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _walk(item, check)


#: The largest whole number a database column holds (64-bit signed).
BIGGEST = 2**63 - 1


def _plausible(cls, value, info: ValidationInfo):
    """No NUL in any text (PostgreSQL cannot store it), and every date in a range a
    record can really have; a birth date or year is not in the future."""
    name = info.field_name or ""
    birth = "birth" in name
    today = dt.date.today()

    def check(item) -> None:
        if isinstance(item, str) and NUL in item:
            raise ValueError("must not contain a NUL character")
        if isinstance(item, int) and not isinstance(item, bool) and not -BIGGEST <= item <= BIGGEST:
            # No id or count is this large; the database could not even compare with it.
            raise ValueError(f"must be between {-BIGGEST} and {BIGGEST}")
        if isinstance(item, dt.date):
            day = item.date() if isinstance(item, dt.datetime) else item
            latest = today if birth else latest_date(today)
            if not EARLIEST_DATE <= day <= latest:
                raise ValueError(f"must be between {EARLIEST_DATE.isoformat()} and "
                                 f"{latest.isoformat()}")
        if birth and isinstance(item, int) and not isinstance(item, bool) \
                and name.endswith("year") and not EARLIEST_DATE.year <= item <= today.year:
            raise ValueError(f"must be between {EARLIEST_DATE.year} and {today.year}")

    _walk(value, check)
    return value


class StrictSchema(Schema):
    """Input schema: an unknown key is a 422 naming it, never silently dropped; so is a
    NUL character anywhere, an implausible date, or a value of the wrong JSON type that
    lax parsing would coerce (``false`` as a number, ``0`` as a date)."""

    model_config = ConfigDict(extra="forbid")

    _no_coercion = field_validator("*", mode="before")(classmethod(_no_coercion))
    _plausible = field_validator("*", mode="after")(classmethod(_plausible))


class OutSchema(Schema):
    """Output schema for answers the handlers build as plain dicts (their ``*_out``
    functions): pydantic validates a dict directly, as it validates any mapping. Ninja's
    ``Schema`` wraps every value it validates in a per-field attribute getter (for model
    instances, managers and ``resolve_*`` methods), which a dict does not need and which was
    a quarter of a 50-row list's CPU (issue 13). Anything else (a model instance, or a
    schema with resolvers) still goes through Ninja's getter."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler,
                            info: ValidationInfo) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        # Ninja's own (ninja.schema.Schema._run_root_validator), unchanged.
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get(
                "validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class PageQuery(StrictSchema):
    page: int = Field(1, ge=1, le=MAX_PAGE,
                      description="1-based page number (ignored with a cursor; prefer `cursor`)")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="items per page")
    cursor: str | None = Field(
        None, max_length=1000,
        description="the `next` of the previous answer: the page after it, at the same "
                    "cost however deep (a cursor not given by this list is a 422)")
    exact_count: bool = Field(
        False, description=f"count every row; by default the count stops at "
                           f"{keyset.count_cap():,} and says so with `count_is_exact: false`")


class Row(dict):
    """One row of a list read with ``values()``: its columns by key and as attributes
    (``row.reference``, ``row.pk``), so the keyset cursor, the policy's per-page checks and
    the audit entry take it as they take a model instance. A list of 50 rows built this way
    skips Django's model instances (their ``__init__``, descriptors, ``select_related``
    objects), which were most of a list's CPU (issue 13)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def pk(self) -> Any:
        return self["id"]


class _Rows(ValuesIterable):
    row = Row  # what ``keyset`` builds from a page it reads through a recipe

    def __iter__(self):
        for row in super().__iter__():
            yield Row(row)


def rows_of(queryset: QuerySet, *columns: str) -> QuerySet:
    """``queryset`` read as ``Row``s of ``columns`` only (``values()``: the same filters,
    ordering, paging and count, no model instances)."""
    made = Recipe.of(queryset)
    if made is None:
        rows = queryset.values(*columns)
    else:  # the same values(), kept built for the recipe's values (``Recipe.derived``)
        rows = made[0].derived(made[1], ("values", columns), lambda: queryset.values(*columns))
    rows._iterable_class = _Rows
    # The count and a page number's skipped ids read the rows without the joins the shown
    # columns bring (a related column's join kept a capped count of cases off its index). Any
    # later change to ``rows`` makes a clone without this, which is then counted as is.
    rows._unjoined = queryset
    return rows


def actor_of(request: HttpRequest) -> Actor:
    return request.actor


def page_of(queryset, query: PageQuery) -> tuple[list[Any], dict]:
    """One page of ``queryset`` (by ``cursor``, else by ``page``) and the paging facts to
    return beside it: a count capped at ``keyset.count_cap()`` unless ``exact_count``, and
    the ``next`` cursor. The count is carried in the cursor: a page after a cursor answers
    the count of the page that gave it, without counting again (unless ``exact_count``)."""
    parts = queryset if isinstance(queryset, keyset.Parts) else None
    first = parts[0] if parts else queryset
    total = keyset.carried(first, query.cursor) if (
        query.cursor and not query.exact_count) else None
    if total is None:
        total = (keyset.count_of_parts(parts, exact=query.exact_count) if parts else
                 keyset.count(queryset, exact=query.exact_count))
    turn = keyset.page_of_parts if parts else keyset.page
    found = turn(queryset, size=query.page_size, cursor=query.cursor,
                 offset=(query.page - 1) * query.page_size, count=total)
    return found.rows, {"count": total.value, "count_is_exact": total.exact,
                        "page": None if query.cursor else query.page,
                        "page_size": query.page_size, "next": found.next}


class PagingFacts(OutSchema):
    """What every paged list answers beside its items."""

    count: int = Field(description=f"rows in the list, at most {keyset.count_cap():,} unless "
                                   "`exact_count=true` was asked; on a page after a "
                                   "`cursor`, the count of the page that gave the cursor")
    count_is_exact: bool = Field(description=f"false when there are more than "
                                             f"{keyset.count_cap():,} rows and `count` stopped")
    page: int | None = Field(description="the page number asked for; null with a cursor")
    page_size: int
    next: str | None = Field(description="pass as `cursor` for the following page; "
                                         "null on the last page")


class Filters(FilterSchema):
    """Query filters of a list endpoint: a field filters on its own name, or on the
    lookup its ``FilterLookup`` names; Ninja builds the query, ``None`` filters nothing.
    A value that does not parse, holds a NUL or is an implausible date is a 422 naming
    the field."""

    _plausible = field_validator("*", mode="after")(classmethod(_plausible))

    def filter(self, queryset):
        """``queryset`` itself when no filter is given (Ninja would add an empty ``Q``, the
        same SQL, but a clone that loses the recipe a policy list is made with, so Django
        would write its page and count SQL again on every request)."""
        if _plain(type(self)) and all(getattr(self, name) is None
                                      for name in type(self).model_fields):
            return queryset  # what Ninja's expression of no filter at all would filter
        expression = self.get_filter_expression()
        return queryset.filter(expression) if expression else queryset


@functools.cache
def _plain(filters: type[Filters]) -> bool:
    """Whether a ``Filters`` class filters nothing when every field is ``None``: Ninja's
    own expression (no ``custom_expression``, no ``filter_<field>`` method) with ``None``
    ignored for every field."""
    if filters.custom_expression is not FilterSchema.custom_expression:
        return False
    if filters.model_config.get("ignore_none", True) is False:
        return False
    blank = filters.model_construct()  # to ask Ninja's own per-field settings
    for name, info in filters.model_fields.items():
        if callable(getattr(filters, f"filter_{name}", None)):
            return False
        if blank._get_field_ignore_none(name, info) is False:
            return False
    return True


class Pages(PaginationBase):
    """Ninja pagination by keyset cursor (or page number, for compatibility), answering
    ``{items, count, count_is_exact, page, page_size, next}``.

    The endpoint returns its filtered queryset; Ninja cuts the page. ``shown(request,
    rows)`` turns the page's rows into what is answered — it is where a list endpoint
    audits the read, through a selector — so only the rows really shown are named.
    """

    items_attribute = "items"

    Input = PageQuery

    class Output(PagingFacts):
        items: list[Any]

    def __init__(self, *, shown: Callable[[HttpRequest, list], list] | None = None,
                 each_run: bool = False, **kwargs: Any) -> None:
        self.shown = shown
        #: The page and count planned for their values on every run, never prepared
        #: (``core.prepared.planned_each_run``): for a list whose good plan depends on the
        #: organisation (a connection kept across organisations would otherwise keep the
        #: generic plan made for the largest; the handler's queryset is only read here).
        self.each_run = each_run
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict:
        with planned_each_run() if self.each_run else contextlib.nullcontext():
            rows, facts = page_of(queryset, pagination)
        return {"items": self.shown(request, rows) if self.shown else rows, **facts}


class _Encoder(NinjaJSONEncoder):
    """Ninja's encoder, asked first whether a value is exactly a date or a date-time: it
    answers those as Django's encoder does (Ninja's own ``default`` tries pydantic models,
    URLs, addresses and enums before handing them on, each an ``isinstance`` through an
    ABC), the same text. A case list has three dates a row: 150 on a page of 50, a fifth
    of its JSON encoding (issue 13)."""

    def default(self, o: Any) -> Any:
        kind = type(o)
        if kind is dt.datetime or kind is dt.date:
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class Renderer(JSONRenderer):
    """The API's JSON: Ninja's renderer with ``_Encoder``; the same bytes."""

    encoder_class = _Encoder
