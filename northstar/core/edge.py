"""Bad input stops at the edge: what every channel (API schemas, pages) refuses.

A NUL character cannot be stored by PostgreSQL (it answers 500 deep inside a
query), and a date in year 1 or 9999 breaks date arithmetic further on (the
mediation pages). The API refuses both in ``apiutils.StrictSchema``; pages get
``NulCharacterMiddleware`` below, so no view needs to remember it.
"""

from __future__ import annotations

import datetime as dt

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


def _first_nul(request) -> str | None:
    """The name of the first query or form value (or key) holding a NUL, or ``None``."""
    if NUL in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and not request.path.startswith("/api/"):
        # The API's bodies are checked by its schemas; pages' forms are parsed here.
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if NUL in key or any(NUL in v for v in values):
                return key.replace(NUL, "")
    return None


class NulCharacterMiddleware:
    """Refuses a NUL character in the path or in any query or form value: 422 naming
    the field (JSON under /api/, the error page elsewhere), before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _first_nul(request)
        if field is None:
            return self.get_response(request)
        message = "must not contain a NUL character"
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "field": field}, status=422)
        body = render_to_string("core/domain_error.html",
                                {"message": f"{field}: {message}", "field": field,
                                 "status": 422},
                                request=request)
        return HttpResponse(body, status=422)
