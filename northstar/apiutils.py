"""Small pieces every API router shares: the actor, strict schemas, pagination."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
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
