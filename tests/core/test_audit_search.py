"""Who read this survivor's record? The audit log's search by survivor reference finds the
single reads carrying the reference AND the list reads whose ids include the survivor (a
page of survivors is one entry naming every id, with no reference); the page and the API
show how many records a list entry names and which, by reference where the supervisor may
see them, never another organisation's (issue 13; bench/README.md, h-auditview)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.core import audit
from northstar.core.audit import record_read, verify_chain
from northstar.core.models import AuditEntry
from northstar.survivors import actions

pytestmark = pytest.mark.django_db


def _survivor(user, actor_for, name="Dara"):
    return actions.create_survivor(actor_for(user), data={"given_name": name, "sex": "female"})


@pytest.fixture
def three(caseworker, actor_for):
    return [_survivor(caseworker, actor_for, name) for name in ("Dara", "Sophea", "Vanna")]


def _ids(page_html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/audit/(\d+)/"', page_html)]


def test_a_survivor_read_only_inside_a_list_is_found_by_the_search(client, api, caseworker,
                                                                   supervisor, three):
    """A caseworker lists the survivors (one entry naming the three ids, no reference); the
    supervisor's search for the second one finds that entry, on the page and in the API."""
    listed = api(caseworker).get("/api/v1/survivors")
    assert listed.status_code == 200
    entry = AuditEntry.objects.filter(action="read", record_type="survivor").latest("id")
    assert entry.survivor_ref == "" and set(entry.record_ids) == {str(s.pk) for s in three}

    client.force_login(supervisor)
    page = client.get("/audit/", {"survivor_ref": three[1].reference})
    assert page.status_code == 200
    html = page.content.decode()
    assert entry.pk in _ids(html)
    assert "Records named: 3" in html
    for s in three:  # the list entry names all three, by reference (the supervisor's own)
        assert s.reference in html

    found = api(supervisor).get("/api/v1/audit", {"survivor_ref": three[1].reference}).json()
    assert entry.pk in [item["id"] for item in found["items"]]
    item = next(i for i in found["items"] if i["id"] == entry.pk)
    assert item["record_count"] == 3 and item["survivor_ref"] == ""


def test_single_reads_and_list_reads_come_together_newest_first(client, caseworker, supervisor,
                                                                actor_for, three):
    actor = actor_for(caseworker)
    target, other = three[0], three[2]
    first = record_read(actor, target, survivor_ref=target.reference)  # a single read
    second = record_read(actor, [other, target], record_type="survivor")  # a list read
    record_read(actor, [other], record_type="survivor")  # a list without them: not found
    third = record_read(actor, target, survivor_ref=target.reference)
    client.force_login(supervisor)
    html = client.get("/audit/", {"survivor_ref": target.reference}).content.decode()
    shown = _ids(html)
    assert [i for i in shown if i in (first.pk, second.pk, third.pk)] == [
        third.pk, second.pk, first.pk]
    assert len(shown) == len(set(shown))
    named = AuditEntry.objects.filter(pk__in=shown)
    assert all(e.survivor_ref == target.reference or str(target.pk) in e.record_ids
               for e in named)


def test_the_search_is_paged_by_cursor(client, caseworker, supervisor, actor_for, three,
                                       monkeypatch):
    from northstar.core import views

    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 4)
    actor = actor_for(caseworker)
    written = [record_read(actor, [three[1], three[0]], record_type="survivor",
                           note=f"list {i}").pk for i in range(6)]
    client.force_login(supervisor)
    first = client.get("/audit/", {"survivor_ref": three[0].reference}).content.decode()
    cursor = re.search(r'cursor=([^"&]+)" rel="next"', first).group(1)
    second = client.get(f"/audit/?survivor_ref={three[0].reference}&cursor={cursor}")
    assert second.status_code == 200
    pages = _ids(first) + _ids(second.content.decode())
    assert [i for i in pages if i in written] == written[::-1]


def test_another_organisations_entries_and_references_never_appear(
        client, api, caseworker, supervisor, users, actor_for, three):
    other_caseworker, other_supervisor = users[("b", "caseworker")], users[("b", "supervisor")]
    theirs = _survivor(other_caseworker, actor_for, "Bopha")
    # B lists its own survivor: that entry is B's, and never in A's log.
    b_entry = record_read(actor_for(other_caseworker), [theirs], record_type="survivor")
    # An A entry naming A's survivor and B's is split per owner: the part about B's
    # survivor is in A's log (A made it) without B's reference, and in B's log with it.
    record_read(actor_for(caseworker), [three[0], theirs], record_type="survivor")
    mixed = AuditEntry.objects.filter(owner_organisation=theirs.organisation,
                                      organisation=three[0].organisation).latest("id")

    client.force_login(supervisor)
    html = client.get("/audit/").content.decode()
    assert b_entry.pk not in _ids(html)
    assert three[0].reference in html
    assert theirs.reference not in html
    assert "1 of another organisation" in html
    entry_page = client.get(f"/audit/{mixed.pk}/").content.decode()
    assert theirs.reference not in entry_page and str(theirs.pk) not in re.findall(
        r"<li>([^<]*)</li>", entry_page)
    assert client.get(f"/audit/{b_entry.pk}/").status_code == 404
    # A's supervisor searching for B's reference learns nothing of B's log.
    html = client.get("/audit/", {"survivor_ref": theirs.reference}).content.decode()
    assert b_entry.pk not in _ids(html) and mixed.pk not in _ids(html)

    detail = api(supervisor).get(f"/api/v1/audit/{mixed.pk}").json()
    assert detail["record_ids"] == [str(theirs.pk)]
    assert detail["survivor_refs"] == {} and detail["survivors_not_named"] == 1
    assert api(supervisor).get(f"/api/v1/audit/{b_entry.pk}").status_code == 404
    found = api(supervisor).get("/api/v1/audit", {"survivor_ref": theirs.reference}).json()
    assert found["count"] == 0

    # B's supervisor sees its own survivor named in the part about them, never A's.
    client.force_login(other_supervisor)
    html = client.get("/audit/", {"survivor_ref": theirs.reference}).content.decode()
    assert mixed.pk in _ids(html) and b_entry.pk in _ids(html)
    assert three[0].reference not in html
    assert api(other_supervisor).get(f"/api/v1/audit/{mixed.pk}").json()[
        "survivor_refs"] == {str(theirs.pk): theirs.reference}
    found = api(other_supervisor).get("/api/v1/audit",
                                      {"survivor_ref": three[0].reference}).json()
    assert found["count"] == 0


def _queries(client, url, params=None) -> int:
    """Statements of one request (``client``: a test client or the API client)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_pages_query_count_does_not_grow_with_the_ids_named(client, api, caseworker,
                                                                supervisor, actor_for, three):
    actor = actor_for(caseworker)
    small = record_read(actor, three, record_type="survivor")
    client.force_login(supervisor)
    params = {"survivor_ref": three[0].reference}
    few = _queries(client, "/audit/", params)
    few_entry = _queries(client, f"/audit/{small.pk}/")
    reader = api(supervisor)
    few_api = _queries(reader, "/api/v1/audit", params)
    few_api_entry = _queries(reader, f"/api/v1/audit/{small.pk}")
    # Lists of 1,000 ids (and one of 2,500, written as three entries): the same queries.
    many = [*three, *range(10_000, 10_997)]
    big = [record_read(actor, many, record_type="survivor").pk for _ in range(3)]
    record_read(actor, [*three, *range(20_000, 22_497)], record_type="survivor")
    assert _queries(client, "/audit/", params) == few
    assert _queries(client, f"/audit/{big[0]}/") == few_entry
    assert _queries(reader, "/api/v1/audit", params) == few_api
    assert _queries(reader, f"/api/v1/audit/{big[0]}") == few_api_entry
    html = client.get(f"/audit/{big[0]}/").content.decode()
    assert "Records named: 1000" in html and "997 of another organisation" in html
    listing = client.get("/audit/", params).content.decode()
    assert "and 980 more on the entry" in listing


@pytest.mark.parametrize("params,field", [
    ({"survivor_ref": "<script>"}, "survivor_ref"),
    ({"survivor_ref": "X" * 33}, "survivor_ref"),
    ({"survivor_ref": "MHF-\x00A"}, "survivor_ref"),
    ({"action": "erase"}, "action"),
    ({"cursor": "made-up"}, "cursor"),
])
def test_bad_filter_input_is_a_422_naming_the_field(client, supervisor, params, field):
    client.force_login(supervisor)
    response = client.get("/audit/", params)
    assert response.status_code == 422
    assert field in response.content.decode()


@pytest.mark.parametrize("params,field", [
    ({"survivor_ref": "<script>"}, "survivor_ref"),
    ({"survivor_ref": "X" * 33}, "survivor_ref"),
    ({"action": "erase"}, "action"),
    ({"cursor": "made-up"}, "cursor"),
])
def test_bad_filter_input_to_the_api_is_a_422_naming_the_field(api, supervisor, params, field):
    response = api(supervisor).get("/api/v1/audit", params)
    assert response.status_code == 422, response.content
    assert field in response.content.decode()


def test_an_entry_that_is_not_there_is_a_404(client, api, supervisor):
    client.force_login(supervisor)
    assert client.get("/audit/999999/").status_code == 404
    assert api(supervisor).get("/api/v1/audit/999999").status_code == 404


def test_only_supervisors_open_an_entry(client, api, caseworker, actor_for, three):
    entry = record_read(actor_for(caseworker), three, record_type="survivor")
    client.force_login(caseworker)
    assert client.get(f"/audit/{entry.pk}/").status_code == 404
    assert api(caseworker).get(f"/api/v1/audit/{entry.pk}").status_code == 404  # as every record endpoint


def test_the_log_and_an_entry_render_in_khmer(client, caseworker, supervisor, actor_for, three):
    from tests.web.test_staff_pages_in_khmer import khmer_share

    entry = record_read(actor_for(caseworker), three, record_type="survivor")
    client.force_login(supervisor)
    client.cookies["django_language"] = "km"
    recorded = tuple(s.reference for s in three) + (
        "Northstar", "survivor", "read", "web", "listed 3", entry.actor_label, entry.prev_hash,
        entry.entry_hash)
    for url, params in (("/audit/", {"survivor_ref": three[0].reference}),
                        (f"/audit/{entry.pk}/", {})):
        html = client.get(url, params).content.decode()
        assert "Records named" not in html, url
        assert re.search(r"[\u1780-\u17FF]", html), url
        assert khmer_share(html, ignore=recorded) > 0.7, url
    bad = client.get("/audit/", {"action": "erase"})
    assert bad.status_code == 422 and re.search(r"[\u1780-\u17FF]", bad.content.decode())


def test_list_reads_keep_the_chain_whole(caseworker, actor_for, three):
    actor = actor_for(caseworker)
    record_read(actor, three, record_type="survivor")
    record_read(actor, [*three, *range(50_000, 51_200)], record_type="survivor")
    assert verify_chain() is None
    assert AuditEntry.objects.filter(record_type=audit.SURVIVOR, survivor_ref="").count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_search_condition_is_what_the_two_indexes_answer(caseworker, actor_for, three):
    """The condition alone (a test's few rows would be read through the organisation's
    indexes: ``bench/audit_search.py explain`` shows the plan at 100k): both halves of the
    OR are answered by an index, the reference's and the GIN index of the lists' ids."""
    from northstar.core.audit import naming_survivor

    record_read(actor_for(caseworker), three, record_type="survivor")
    search = AuditEntry.objects.filter(naming_survivor(three[0].reference, three[0].pk)
                                       ).order_by("-at", "-id")[:51]
    sql, params = search.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert ("_records_named" in plan or "_record_ids_idx" in plan), plan
    assert "_survivor_ref_at_idx" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_whole_log_is_both_parts_newest_first_each_entry_once(
        client, api, caseworker, supervisor, users, actor_for, three, monkeypatch):
    """The log is read in two parts (about the organisation's survivors; made by it about
    others' or none), merged newest first and paged by one cursor, on the page and in the
    API: every entry of the organisation's once, in order, none of another's."""
    from northstar.core import views

    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 3)
    other = users[("b", "caseworker")]
    theirs = _survivor(other, actor_for, "Bopha")
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    actor = actor_for(caseworker)
    written, not_ours = [], []
    for i in range(3):
        written.append(record_read(actor, [three[i]], record_type="survivor").pk)  # owned
        written.append(record_read(actor, (), record_type="figures", note=f"{i}").pk)  # none
        written.append(record_read(actor, [theirs], record_type="survivor").pk)  # B's, by A
        written.append(record_read(actor_for(other), [three[i]], record_type="survivor").pk)
        not_ours.append(record_read(actor_for(other), [theirs], record_type="survivor").pk)

    client.force_login(supervisor)
    seen, url = [], "/audit/"
    while True:
        html = client.get(url).content.decode()
        seen += _ids(html)
        following = re.search(r'cursor=([^"&]+)" rel="next"', html)
        if not following:
            break
        url = f"/audit/?cursor={following.group(1)}"
    assert [i for i in seen if i > start] == sorted(written, reverse=True)

    listed, params = [], {"page_size": 4}
    reader = api(supervisor)
    while True:
        body = reader.get("/api/v1/audit", params).json()
        listed += [item["id"] for item in body["items"]]
        if not body["next"]:
            break
        params = {"page_size": 4, "cursor": body["next"]}
    assert [i for i in listed if i > start] == sorted(written, reverse=True)
    assert not set(not_ours) & set(listed)
    assert reader.get("/api/v1/audit", {"exact_count": True}).json()["count"] == len(
        [i for i in listed])
