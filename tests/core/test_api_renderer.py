"""The API's JSON renderer (``apiutils.Renderer``) writes the bytes Ninja's own writes, and
answers dates and date-times without Ninja's chain of ``isinstance`` checks (issue 13: 150
of them on a case list page of 50)."""

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from northstar.api import api
from northstar.apiutils import Renderer
from tests.query_counts import grow_caseload


class _Colour(enum.Enum):
    RED = "red"


class _Item(BaseModel):
    at: dt.datetime


def test_the_renderer_writes_what_ninjas_writes():
    at = dt.datetime(2026, 12, 6, 23, 2, 6, 419510, tzinfo=dt.UTC)
    data = {
        "aware": at, "whole second": at.replace(microsecond=0),
        "naive": at.replace(tzinfo=None), "bangkok": at.astimezone(dt.timezone(
            dt.timedelta(hours=7))), "day": at.date(), "time": at.time(),
        "span": dt.timedelta(days=1, seconds=5), "money": Decimal("12.50"),
        "id": uuid.UUID(int=7), "colour": _Colour.RED, "model": _Item(at=at),
        "nested": [{"period_start": dt.date(2020, 1, 31), "period_end": None}],
        "text": "ខ្មែរ", "n": 3, "flag": False,
    }
    assert Renderer().render(None, data, response_status=200) == JSONRenderer().render(
        None, data, response_status=200)
    assert api.renderer.__class__ is Renderer


def test_a_case_list_encodes_its_dates_without_ninjas_fallback(
        api_client_for_cases, monkeypatch):
    client, path = api_client_for_cases
    before = client.get(path).content
    asked = []
    ninjas = NinjaJSONEncoder.default

    def counted(self, o):
        asked.append(type(o))
        return ninjas(self, o)

    monkeypatch.setattr(NinjaJSONEncoder, "default", counted)
    assert client.get(path).content == before
    assert not {dt.date, dt.datetime} & set(asked), asked


@pytest.fixture
def api_client_for_cases(api, caseworker, actor_for):
    grow_caseload(actor_for(caseworker), 3)
    return api(caseworker), "/api/v1/cases"
