"""Small pieces every API router shares: the actor, strict schemas, pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Schema
from ninja.pagination import PaginationBase
from pydantic import ConfigDict

from northstar.core.actor import Actor

MAX_PAGE_SIZE = 200
#: Far beyond any real caseload; keeps an absurd page number a 422, not a database overflow.
MAX_PAGE = 1_000_000


class StrictSchema(Schema):
    """Input schema: an unknown key is a 422 naming it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(StrictSchema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="items per page")


def actor_of(request: HttpRequest) -> Actor:
    return request.actor


def page_of(queryset, query: PageQuery) -> tuple[list[Any], dict]:
    """One page of ``queryset`` and the paging facts to return beside it."""
    total = queryset.count()
    start = (query.page - 1) * query.page_size
    items = list(queryset[start : start + query.page_size])
    return items, {"count": total, "page": query.page, "page_size": query.page_size}


class Filters(FilterSchema):
    """Query filters of a list endpoint: a field filters on its own name, or on the
    lookup its ``FilterLookup`` names; Ninja builds the query, ``None`` filters nothing.
    A value that does not parse is a 422 naming the field."""


class Pages(PaginationBase):
    """Ninja pagination by page number, answering ``{items, count, page, page_size}``.

    The endpoint returns its filtered queryset; Ninja cuts the page. ``shown(request,
    rows)`` turns the page's rows into what is answered — it is where a list endpoint
    audits the read, through a selector — so only the rows really shown are named.
    """

    items_attribute = "items"

    Input = PageQuery

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def __init__(self, *, shown: Callable[[HttpRequest, list], list] | None = None,
                 **kwargs: Any) -> None:
        self.shown = shown
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict:
        start = (pagination.page - 1) * pagination.page_size
        rows = list(queryset[start : start + pagination.page_size])
        return {
            "items": self.shown(request, rows) if self.shown else rows,
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
