"""Domain errors raised by a page are mapped once, by middleware."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from northstar.core.errors import Conflict, DomainError, Forbidden, NotFound
from northstar.core.middleware import DomainErrorMiddleware


@pytest.mark.parametrize(
    ("error", "status"),
    [(NotFound("No such case"), 404), (Forbidden("read-only"), 403),
     (Conflict("stale"), 409), (DomainError("Enter a date", "date"), 422)],
)
def test_a_domain_error_on_a_page_answers_its_status(error, status, db):
    request = RequestFactory().get("/cases/1/")
    request.user = AnonymousUser()
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == status


def test_the_api_maps_its_own_errors():
    request = RequestFactory().get("/api/v1/cases/1")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, NotFound()) is None


def test_a_message_of_a_rule_is_shown_on_the_page(db):
    request = RequestFactory().get("/cases/1/")
    request.user = AnonymousUser()
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, DomainError("Enter the interviewer's name", "interviewer"))
    assert "Enter the interviewer&#x27;s name" in response.content.decode()
