"""JSON-list filters (languages, forms of exploitation, sectors) are answered by the database.

Filtering after the page was cut would page wrongly; filtering in Python reads every
row. ``has_element`` is exact membership on PostgreSQL (``@>``) and SQLite (``json_each``).
"""

import pytest

from northstar.survivors import actions
from northstar.survivors.models import Case, Survivor


@pytest.fixture
def speakers(caseworker, actor_for):
    actor = actor_for(caseworker)
    return {
        name: actions.create_survivor(actor, data={"languages": langs})
        for name, langs in (("khmer_thai", ["km", "th"]), ("khmer_region", ["km-KH"]),
                            ("thai", ["th"]), ("none", []))
    }


def test_has_element_is_exact_membership(speakers):
    found = set(Survivor.objects.filter(languages__has_element="km"))
    assert found == {speakers["khmer_thai"]}
    assert set(Survivor.objects.filter(languages__has_element="th")) == {
        speakers["khmer_thai"], speakers["thai"]}
    assert not Survivor.objects.filter(languages__has_element="k").exists()


def test_the_language_filter_pages_the_filtered_list(api, caseworker, speakers):
    client = api(caseworker)
    body = client.get("/api/v1/survivors", {"language": "th", "page_size": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    second = client.get("/api/v1/survivors", {"language": "th", "page_size": 1,
                                              "page": 2}).json()
    ids = {body["items"][0]["id"], second["items"][0]["id"]}
    assert ids == {speakers["khmer_thai"].pk, speakers["thai"].pk}


def test_cases_filter_by_form_and_sector_in_the_database(api, caseworker, actor_for, speakers):
    actor = actor_for(caseworker)
    fishing = actions.create_case(actor, speakers["thai"], data={
        "forms_of_exploitation": ["labour", "forced_marriage"], "sectors": ["fishing"]})
    actions.create_case(actor, speakers["khmer_thai"], data={
        "forms_of_exploitation": ["labour"], "sectors": ["construction"]})
    assert list(Case.objects.filter(forms_of_exploitation__has_element="forced_marriage")) == [
        fishing]
    client = api(caseworker)
    body = client.get("/api/v1/cases", {"form": "forced_marriage"}).json()
    assert [c["id"] for c in body["items"]] == [fishing.pk] and body["count"] == 1
    body = client.get("/api/v1/cases", {"form": "labour", "sector": "fishing"}).json()
    assert [c["id"] for c in body["items"]] == [fishing.pk]


def test_the_caseload_filters_by_form_of_exploitation(client, caseworker, actor_for, speakers):
    actions.create_case(actor_for(caseworker), speakers["thai"], data={
        "forms_of_exploitation": ["forced_marriage"]})
    client.force_login(caseworker)
    html = client.get("/", {"exploitation": "forced_marriage"}).content.decode()
    assert speakers["thai"].reference in html
    assert speakers["khmer_thai"].reference not in html
