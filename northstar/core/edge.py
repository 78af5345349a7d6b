"""Bad input stops at the edge: what every channel (API schemas, pages) refuses.

A NUL character cannot be stored by PostgreSQL (it answers 500 deep inside a
query), and a date in year 1 or 9999 breaks date arithmetic further on (the
mediation pages). The API refuses both in ``apiutils.StrictSchema``; pages get
``BadInputMiddleware`` below, so no view needs to remember it: it refuses a NUL
anywhere, and any form or query value written as a date (``YYYY-MM-DD``) outside
the plausible range — a birth date also in the future.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

NUL = "\x00"
#: No survivor record, case, claim or payment is older than this.
EARLIEST_DATE = dt.date(1900, 1, 1)
#: Far enough ahead for a consent's expiry or a payment schedule; no further.
FUTURE_YEARS = 50


def latest_date(today: dt.date) -> dt.date:
    """The last plausible date of anything recorded (a birth date: ``today``)."""
    return today.replace(year=today.year + FUTURE_YEARS, day=min(today.day, 28))


#: A value that is a date as forms and HTML date inputs write it (a time may follow).
DATE_VALUE = re.compile(r"\s*(\d{1,6})-(\d{1,2})-(\d{1,2})([ T][\d:.]+)?\s*")


def date_problem(name: str, value: str, today: dt.date) -> str | None:
    """Why a form value written as a date is implausible, or ``None``."""
    found = DATE_VALUE.fullmatch(value)
    if found is None:
        return None
    try:
        day = dt.date(*(int(found.group(i)) for i in (1, 2, 3)))
    except ValueError:
        return None  # not a real date: the form says so itself
    latest = today if "birth" in name else latest_date(today)
    if EARLIEST_DATE <= day <= latest:
        return None
    return f"must be between {EARLIEST_DATE.isoformat()} and {latest.isoformat()}"


def _first_problem(request) -> tuple[str, str] | None:
    """The first query or form value (or key) that is refused, and why; or ``None``."""
    if NUL in request.path:
        return "path", "must not contain a NUL character"
    sources = [request.GET]
    if request.method == "POST" and not request.path.startswith("/api/"):
        # The API's bodies are checked by its schemas; pages' forms are parsed here.
        sources.append(request.POST)
    today = dt.date.today()
    for data in sources:
        for key, values in data.lists():
            if NUL in key or any(NUL in v for v in values):
                return key.replace(NUL, ""), "must not contain a NUL character"
            for value in values:
                problem = date_problem(key, value, today)
                if problem:
                    return key, problem
    return None


class BadInputMiddleware:
    """Refuses a NUL character in the path or in any query or form value, and a date
    value outside the plausible range: 422 naming the field (JSON under /api/, the
    error page elsewhere), before any view, sign-in throttle or query sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _first_problem(request)
        if found is None:
            return self.get_response(request)
        field, message = found
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "field": field}, status=422)
        body = render_to_string("core/domain_error.html",
                                {"message": f"{field}: {message}", "field": field,
                                 "status": 422},
                                request=request)
        return HttpResponse(body, status=422)


#: Room for the form around the largest file: field names, the CSRF token, boundaries.
FORM_ALLOWANCE = 256 * 1024


def body_limit() -> int:
    """Read per request, so that a setting overridden in a test applies."""
    return settings.NORTHSTAR_DOCUMENT_MAX_BYTES + FORM_ALLOWANCE


class BodySizeMiddleware:
    """Refuses a request whose declared body is larger than the largest upload may be:
    413 with a sentence, before the CSRF check or a form parser reads a byte of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= body_limit():
            return self.get_response(request)
        limit_mb = body_limit() // (1024 * 1024)
        message = (f"This upload is too large ({length // (1024 * 1024)} MB); "
                   f"files up to about {limit_mb} MB can be attached.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "field": "file"}, status=413)
        body = render_to_string("core/domain_error.html",
                                {"message": message, "field": "file", "status": 413},
                                request=request)
        return HttpResponse(body, status=413)
