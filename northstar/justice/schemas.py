"""API shapes of the tasks set on cases (issue 14)."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from ninja.filter_schema import FilterLookup

from northstar.apiutils import Filters, StrictSchema
from northstar.justice.tasks import TITLE_MAX


class CaseTaskIn(StrictSchema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX,
                       description="sealed; may name people")
    assignee_id: int = Field(..., ge=1)
    due_on: dt.date


class DoneIn(StrictSchema):
    done: bool = True


class CaseTaskOut(Schema):
    id: int
    case_id: int
    case_reference: str
    title: str
    assignee_id: int
    due_on: dt.date
    overdue: bool
    source: str
    done_at: dt.datetime | None
    done_by_label: str


class CaseTaskFilters(Filters):
    assignee_id: int | None = Field(None, ge=1)
    case_id: int | None = Field(None, ge=1)
    open: Annotated[bool | None, FilterLookup("done_at__isnull")] = None
    due_before: Annotated[dt.date | None, FilterLookup("due_on__lt")] = None
