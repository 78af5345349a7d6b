"""The Content-Security-Policy header, built once per process for the answers that change
nothing in it (issue 13: django-csp built it on every answer), is still exactly django-csp's:
the settings' policy, a nonce when a page used one, a ``csp_*`` decorator's changes, the
report-only header, and a new policy as soon as the setting changes."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from northstar.core.middleware import CSPMiddleware


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def answer(view, path="/api/v1/me"):
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(view)
    return request, middleware(request)


def plain(request):
    return HttpResponse("{}", content_type="application/json")


def test_an_api_answer_carries_exactly_the_policy_django_csp_builds(api, caseworker, survivor_a):
    client = api(caseworker)
    first = client.get(f"/api/v1/survivors/{survivor_a.pk}")
    second = client.get(f"/api/v1/survivors/{survivor_a.pk}")
    assert first.status_code == second.status_code == 200
    assert directives(first[HEADER]) == directives(build_policy())
    assert second[HEADER] == first[HEADER]
    assert directives(first[HEADER])["default-src"] == ["'self'"]
    assert HEADER_REPORT_ONLY not in first


def test_a_changed_setting_changes_the_header_at_once():
    _, before = answer(plain)
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"}}
    with override_settings(CONTENT_SECURITY_POLICY=policy,
                           CONTENT_SECURITY_POLICY_REPORT_ONLY={
                               "DIRECTIVES": {"default-src": ["'none'"]}}):
        _, during = answer(plain)
        assert directives(during[HEADER]) == {"default-src": ["'self'"],
                                              "report-uri": ["/csp-report/"]}
        assert directives(during[HEADER_REPORT_ONLY]) == {"default-src": ["'none'"]}
    _, after = answer(plain)
    assert after[HEADER] == before[HEADER] and HEADER_REPORT_ONLY not in after


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": [SELF, NONCE]}})
def test_a_page_that_uses_a_nonce_gets_it_in_its_policy():
    seen = {}

    def page(request):
        seen["nonce"] = str(request.csp_nonce)
        return HttpResponse("<p>")

    _, response = answer(page, "/")
    assert f"'nonce-{seen['nonce']}'" in directives(response[HEADER])["script-src"]
    _, next_one = answer(plain, "/")
    assert directives(next_one[HEADER])["script-src"] == ["'self'"]


def test_a_decorated_view_keeps_its_own_policy_and_an_exempt_one_has_none():
    _, updated = answer(csp_update({"img-src": ["https://maps.example"]})(plain))
    assert "https://maps.example" in directives(updated[HEADER])["img-src"]
    _, exempt = answer(csp_exempt()(plain))
    assert HEADER not in exempt
    _, already = answer(lambda request: HttpResponse(headers={HEADER: "default-src 'none'"}))
    assert already[HEADER] == "default-src 'none'"


def test_asking_for_a_nonce_after_the_header_is_written_is_an_error():
    request, _ = answer(plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
