"""The directory search is answered by the database: list fields included, paged after.

Exact on jurisdictions, a language or its regional forms, a fragment of an area
(ignoring case, ``%`` and ``_`` taken literally), and a service listing no areas or no
population serves all. Runs on SQLite and PostgreSQL alike.
"""

import pytest

from northstar.core.models import Organisation
from northstar.referrals.models import Service
from northstar.referrals.selectors import search_services


@pytest.fixture
def services(db):
    provider = Organisation.objects.create(name="Harbour Aid", kind="ngo", jurisdiction="TH",
                                           code="HARB")

    def service(name, **fields):
        return Service.objects.create(provider=provider, kind=fields.pop("kind", "shelter"),
                                      name=name, **fields)

    return {
        "bangkok": service("Bangkok shelter", jurisdictions=["TH"], areas=["Bangkok"],
                           languages=["th", "my"], serves=["women"], waiting_days=3),
        "regional": service("Khmer line", jurisdictions=["TH", "KH"], areas=[],
                            languages=["km-KH"], serves=[], waiting_days=1),
        "percent": service("Odd area", jurisdictions=["KH"], areas=["Zone 100% north"],
                           languages=["kmr"], serves=["children"]),
    }


def names(qs):
    return [s.name for s in qs]


def test_jurisdiction_is_an_exact_element_and_the_shortest_wait_comes_first(services):
    assert names(search_services(jurisdiction="TH")) == ["Khmer line", "Bangkok shelter"]
    assert names(search_services(jurisdiction="kh")) == ["Khmer line", "Odd area"]


def test_a_language_matches_itself_and_its_regional_forms_only(services):
    assert names(search_services(language="km")) == ["Khmer line"]  # not "kmr"
    assert names(search_services(language="my")) == ["Bangkok shelter"]


def test_an_area_fragment_matches_ignoring_case_and_no_areas_means_everywhere(services):
    assert names(search_services(area="BANGK")) == ["Khmer line", "Bangkok shelter"]
    assert names(search_services(area="100%")) == ["Khmer line", "Odd area"]
    assert names(search_services(area="1_0")) == ["Khmer line"]  # "_" is not a wildcard


def test_no_population_listed_serves_everyone(services):
    assert names(search_services(serves="children")) == ["Khmer line", "Odd area"]


def test_the_api_pages_the_filtered_directory(api, caseworker, services):
    body = api(caseworker).get("/api/v1/services", {"jurisdiction": "TH", "page_size": 1,
                                                    "page": 2}).json()
    assert body["count"] == 2 and [s["name"] for s in body["items"]] == ["Bangkok shelter"]
    assert body["page"] == 2 and body["page_size"] == 1
