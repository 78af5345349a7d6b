"""Every list endpoint pages the same way (Ninja's pagination, ``apiutils.Pages``)."""

import pytest

LISTS = ["/api/v1/survivors", "/api/v1/cases", "/api/v1/referrals", "/api/v1/services",
         "/api/v1/audit"]


@pytest.fixture
def lists_client(api, supervisor, case_a):
    return api(supervisor)


@pytest.mark.parametrize("path", LISTS)
def test_a_page_answers_items_count_page_and_page_size(lists_client, path):
    body = lists_client.get(path, {"page": 1, "page_size": 5}).json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert body["page"] == 1 and body["page_size"] == 5 and len(body["items"]) <= 5


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query,field", [
    ({"page": 0}, "page"), ({"page": "666802526539624063434752"}, "page"),
    ({"page": "two"}, "page"), ({"page_size": 0}, "page_size"), ({"page_size": 201}, "page_size"),
])
def test_a_page_out_of_range_is_a_422_naming_the_field(lists_client, path, query, field):
    response = lists_client.get(path, query)
    assert response.status_code == 422 and response.json()["field"] == field


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_empty_not_an_error(lists_client, path):
    body = lists_client.get(path, {"page": 1000}).json()
    assert body["items"] == [] and body["page"] == 1000
