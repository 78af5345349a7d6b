"""Two survivors of one organisation: neither reaches the other through any portal route.

The portal's pages are found by walking the URL resolver and the API's reads from the
OpenAPI schema, so a new page is covered the day it is added. The check is a
difference: what Sokha's pages show must not change when Malai — same organisation,
same caseworker — is given a case, a plan, a claim, a mediation, a referral consent and
a timeline. The positive control proves Malai's own pages do show those records, so
the comparison cannot pass by showing nothing to anyone.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from northstar.api import api as ninja_api
from northstar.core.actor import Actor
from northstar.core.roles import Role
from northstar.portal import actions as portal
from northstar.survivors.models import Consent, Survivor
from tests.records import PIN, build_records, person

pytestmark = pytest.mark.django_db

#: Portal routes that do not show a survivor's records, so there is nothing to compare.
NOT_RECORD_PAGES = {
    "portal/": "sign-in form (signed-in survivors are sent home)",
    "portal/exit/": "quick exit: ends the session and leaves",
    "portal/sign-out/": "ends the session",
    "portal/language/<str:code>/": "switches the language and redirects",
}


def _portal_pages(patterns=None, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _portal_pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("portal/") \
                and not route.startswith("portal/staff/"):
            found.append(route)
    return sorted(found)


PORTAL_PAGES = _portal_pages()
RECORD_PAGES = [r for r in PORTAL_PAGES if r not in NOT_RECORD_PAGES]


def _signed_in(survivor) -> Client:
    client = Client()
    response = client.post("/portal/", {"reference": survivor.reference, "pin": PIN})
    assert response.status_code == 302 and response["Location"].endswith("/portal/home/")
    return client


def _normalised(html: str) -> str:
    """The page without what differs between two identical requests."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'content="[A-Za-z0-9]{40,}"', "", html)


def _pages_of(client: Client) -> dict[str, tuple[int, str]]:
    seen = {}
    for route in RECORD_PAGES:
        response = client.get("/" + route)
        seen[route] = (response.status_code, _normalised(response.content.decode()))
    return seen


@pytest.fixture
def sokha(users):
    caseworker = users[("a", Role.CASEWORKER)]
    me = person(caseworker, given_name="Demo Sokha", family_name="Alone")
    portal.set_pin(Actor.for_user(caseworker, "cli"), me, pin=PIN)
    return me


def _give_malai_everything(users, org_b) -> dict:
    return build_records(caseworker=users[("a", Role.CASEWORKER)],
                         supervisor=users[("a", Role.SUPERVISOR)], recipient=org_b,
                         given_name="Demo Malai", family_name="Everything")


def test_the_walk_finds_the_portal_pages():
    assert {"portal/home/", "portal/plan/", "portal/money/", "portal/choices/"} <= set(
        RECORD_PAGES)
    assert set(NOT_RECORD_PAGES) <= set(PORTAL_PAGES), "an exception names a route that is gone"


def test_no_portal_page_changes_when_another_survivor_of_the_organisation_gets_records(
        sokha, users, org_b):
    client = _signed_in(sokha)
    before = _pages_of(client)
    assert {route for route, (status, _) in before.items() if status == 200} >= {
        "portal/home/", "portal/plan/", "portal/money/", "portal/choices/"}
    malai = _give_malai_everything(users, org_b)
    after = _pages_of(client)
    changed = [route for route in RECORD_PAGES if before[route] != after[route]]
    assert not changed, f"Sokha's portal pages changed when Malai got records: {changed}"
    everything = " ".join(html for _, html in after.values())
    assert malai["obj"]["survivor"].reference not in everything
    assert org_b.name not in everything


def test_the_other_survivors_own_pages_do_show_those_records(sokha, users, org_b):
    """The positive control: the records given to Malai are ones the portal shows."""
    bare = _pages_of(_signed_in(sokha))
    malai = _give_malai_everything(users, org_b)
    hers = _pages_of(_signed_in(malai["obj"]["survivor"]))
    shown = [route for route in RECORD_PAGES if hers[route] != bare[route]]
    assert {"portal/plan/", "portal/money/", "portal/choices/"} <= set(shown), shown
    assert org_b.name in hers["portal/choices/"][1]


def _api_reads() -> list[str]:
    schema = ninja_api.get_openapi_schema()
    return sorted(path for path, ops in schema["paths"].items() if "get" in ops)


@pytest.mark.parametrize("path", _api_reads())
def test_a_portal_session_reads_nothing_through_the_api(path, sokha, users, org_b):
    """The API is for staff tokens; a survivor's portal cookie opens none of it."""
    malai = _give_malai_everything(users, org_b)
    url = re.sub(r"\{(\w+)\}", lambda m: str(malai[m.group(1)]), path)
    response = _signed_in(sokha).get(url)
    assert response.status_code in (401, 403, 404) or path in ("/api/v1/health",), (
        url, response.status_code, response.content[:300])


def test_a_survivor_cannot_withdraw_or_touch_another_survivors_consents(sokha, users, org_b):
    malai = _give_malai_everything(users, org_b)
    theirs = list(Consent.objects.filter(survivor=malai["obj"]["survivor"])
                  .values_list("pk", "withdrawn_at"))
    advocacy = Survivor.objects.get(pk=malai["survivor_id"]).advocacy_visibility
    client = _signed_in(sokha)
    for consent in Consent.objects.filter(survivor=malai["obj"]["survivor"]):
        response = client.post("/portal/choices/consent/", {
            "purpose": consent.purpose, "choice": "withdraw", "consent": consent.pk})
        assert response.status_code == 404, (consent.purpose, response.status_code)
    client.post("/portal/choices/advocacy/", {"advocacy_visibility": "named",
                                              "survivor": malai["survivor_id"]})
    assert list(Consent.objects.filter(survivor=malai["obj"]["survivor"])
                .values_list("pk", "withdrawn_at")) == theirs
    assert Survivor.objects.get(pk=malai["survivor_id"]).advocacy_visibility == advocacy
