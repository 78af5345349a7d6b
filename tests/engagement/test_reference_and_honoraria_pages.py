"""Issue 13: two engagement pages no longer grow with the organisation.

- The councils page's "Add a member" takes the survivor's typed reference (it listed every
  consenting survivor in a ``<select>``: 10,002 options at 100k). A reference that is not a
  survivor the coordinator may invite (none, no engagement consent, another organisation's)
  is one and the same 422 on the field; suggestions by reference prefix show at most ten,
  only those who may be invited, audited.
- The honoraria page lists 50 payees a page by reference with a capped count and a cursor
  pager; the pay and rate forms return to the page they were sent from; a forged cursor is a
  422 naming it; the audit names only the payees shown.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, transaction

from northstar.core import keyset
from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement import selectors, views
from northstar.engagement.models import CouncilMembership, HonorariumEntry
from northstar.survivors import actions as survivors
from northstar.survivors.models import Survivor
from tests.query_counts import few_and_many, rows_built

SIZE = 2


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two rows, so three payees already make a second page."""
    monkeypatch.setattr(views, "PAGE_SIZE", SIZE)




def _last_audit() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _read_since(before: int, note: str) -> set[str]:
    return {str(i) for e in AuditEntry.objects.filter(pk__gt=before, action="read", note=note)
            for i in e.record_ids}


def _add(client, council, reference, **extra):
    return client.post("/engagement/councils/", {
        "op": "member", "council": council.pk, "reference": reference,
        "term_start": "2026-01-01", **extra})


# --- Councils: a typed reference, not a list of everyone ---------------------------------


def test_the_councils_page_lists_no_candidate_and_asks_for_a_reference(
        client, coordinator, council, people):
    waiting = people(12)
    client.force_login(coordinator)
    built = rows_built([Survivor], lambda: client.get("/engagement/councils/"))
    assert built.get("Survivor", 0) == 0  # the page read none of the 12 who may be invited
    html = client.get("/engagement/councils/").content.decode()
    card = html.split(f'id="council-{council.pk}"')[1].split("</section>")[0]
    assert 'name="reference"' in card and 'name="survivor"' not in card
    assert not any(p.reference in html for p in waiting)


def test_a_member_is_added_by_their_typed_reference(client, coordinator, council, people):
    person, = people(1)
    client.force_login(coordinator)
    answer = _add(client, council, f"  {person.reference} ", term_end="2027-12-31")
    assert answer.status_code == 302, answer.content[:300]
    seat = CouncilMembership.objects.get(council=council)
    assert (seat.survivor_id, seat.term_end) == (person.pk, dt.date(2027, 12, 31))


def test_a_reference_nobody_may_add_is_the_same_422_on_the_field(
        client, coordinator, council, people, users, actor_for):
    people(1)  # someone may be added, so the form is there
    no_consent, = people(1, consent=False)
    elsewhere = survivors.create_survivor(actor_for(users[("b", Role.CASEWORKER)]), data={
        "given_name": "Other", "nationality": "KH", "date_of_birth": "1990-01-01"})
    survivors.record_consent(actor_for(users[("b", Role.CASEWORKER)]), elsewhere,
                             purpose="engagement", language="km", method="verbal")
    client.force_login(coordinator)
    errors = []
    for typed in ("ORGA-NOBODY", no_consent.reference, elsewhere.reference):
        answer = _add(client, council, typed)
        assert answer.status_code == 422, typed
        html = answer.content.decode()
        card = html.split(f'id="council-{council.pk}"')[1].split("</section>")[0]
        assert f'value="{typed}"' in card and 'aria-invalid="true"' in card
        found = re.search(r'<p class="error" role="alert" id="m-\d+-error">([^<]*)</p>', card)
        assert found, typed
        errors.append(found.group(1))
    assert len(set(errors)) == 1 and "reference" in errors[0]
    blank = _add(client, council, "   ")
    assert blank.status_code == 422 and 'aria-invalid="true"' in blank.content.decode()
    assert not CouncilMembership.objects.exists()


def test_suggestions_show_at_most_ten_who_may_be_invited_and_are_audited(
        client, coordinator, people, users, actor_for):
    may = people(12)
    without = people(1, consent=False)
    other_staff = actor_for(users[("b", Role.CASEWORKER)])
    elsewhere = survivors.create_survivor(other_staff, data={
        "given_name": "Other", "nationality": "KH", "date_of_birth": "1990-01-01"})
    survivors.record_consent(other_staff, elsewhere, purpose="engagement", language="km",
                             method="verbal")
    # References that share what a coordinator types (the code and two letters of the
    # random part), the one of another organisation's survivor too.
    _share_prefix([*may, *without, elsewhere], "ORGA-2A")
    client.force_login(coordinator)
    before = _last_audit()
    answer = client.get("/engagement/candidates/", {"reference": "ORGA-2A"})
    assert answer.status_code == 200
    shown = re.findall(r'<option value="([^"]+)">', answer.content.decode())
    assert shown == sorted(p.reference for p in may)[:selectors.SUGGESTIONS]
    ids = {str(p.pk) for p in may if p.reference in shown}
    assert _read_since(before, "engagement: who may be invited, 10 shown for a typed "
                               "reference (the reference typed not recorded)") == ids
    one, = client.get("/engagement/candidates/",
                      {"reference": may[0].reference}).context["found"]
    assert one.pk == may[0].pk
    assert client.get("/engagement/candidates/",
                      {"reference": elsewhere.reference}).context["found"] == []
    for short in ("O", "ORGA-", "ORGA-2", "2AB3CD"):
        answer = client.get("/engagement/candidates/", {"reference": short})
        assert answer.status_code == 422 and 'data-field="reference"' in answer.content.decode()
    client.force_login(users[("a", Role.CASEWORKER)])
    assert client.get("/engagement/candidates/", {"reference": "ORGA-2A"}).status_code == 404


def _share_prefix(people, prefix: str) -> None:
    for k, person in enumerate(people):
        person.reference = f"{prefix}{k:04d}"
        Survivor.objects.filter(pk=person.pk).update(reference=person.reference)


def test_the_councils_page_in_khmer_asks_for_the_reference(client, coordinator, council,
                                                           people):
    people(1)
    client.force_login(coordinator)
    client.cookies["django_language"] = "km"
    html = client.get("/engagement/councils/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert 'name="reference"' in html
    assert "វាយលេខយោង" in html  # "Type the reference; ..."


def test_the_invitation_on_a_coming_activitys_page_takes_a_reference_too(
        client, coordinator, make_activity, people):
    waiting = people(12)
    coming = make_activity(days=10)
    client.force_login(coordinator)
    url = f"/engagement/activities/{coming.pk}/"
    built = rows_built([Survivor], lambda: client.get(url))
    assert built.get("Survivor", 0) == 0  # none of the 12 who may be invited is read
    html = client.get(url).content.decode()
    form = html.split('id="invite-form"')[1].split("</form>")[0]
    assert 'name="reference"' in form and not any(p.reference in html for p in waiting)
    answer = client.post(url, {"op": "invite", "reference": waiting[3].reference,
                               "pseudonym": "Lotus"})
    assert answer.status_code == 302
    bad = client.post(url, {"op": "invite", "reference": "ORGA-NOBODY", "pseudonym": "X"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.content.decode()


# --- Honoraria: 50 a page ------------------------------------------------------------------


@pytest.fixture
def payees(coord, people):
    """``payees(n)``: n survivors paid 50 THB each; the first also 20 USD."""
    def more(n: int) -> list:
        found = people(n)
        for k, person in enumerate(found):
            engagement.record_payment(coord, person, amount="50", currency="THB",
                                      method="cash", on=dt.date(2026, 1, 1))
            if k == 0:
                engagement.record_payment(coord, person, amount="20", currency="USD",
                                          method="cash", on=dt.date(2026, 1, 1))
        return sorted(found, key=lambda p: p.reference)

    return more


def _next_link(html: str) -> str | None:
    found = re.search(r'<a href="\?([^"]*)" rel="next"', html)
    return "?" + found.group(1).replace("&amp;", "&") if found else None


def _due_table(html: str) -> str:
    return html.split('id="honoraria-due"')[1].split("</table>")[0]


def _references_in(html: str) -> list[str]:
    return re.findall(r"<tr><td>(ORGA-[A-Z0-9]+)</td>", _due_table(html))


def test_the_honoraria_pages_walk_every_payee_once_and_audit_only_those_shown(
        client, coordinator, payees, small_pages):
    everyone = payees(5)
    client.force_login(coordinator)
    seen, rows, url = [], "", "/engagement/honoraria/"
    while url:
        before = _last_audit()
        html = client.get("/engagement/honoraria/" + url.removeprefix(
            "/engagement/honoraria/")).content.decode()
        assert "5 survivors" in html
        page = _references_in(html)
        assert 1 <= len(set(page)) <= SIZE
        assert _read_since(before, "engagement: honoraria due") == {
            str(p.pk) for p in everyone if p.reference in page}
        seen += list(dict.fromkeys(page))
        rows += _due_table(html)
        url = _next_link(html)
    assert seen == [p.reference for p in everyone]  # none lost, none repeated, in order
    both = HonorariumEntry.objects.get(currency="USD").survivor
    assert rows.count(both.reference) == 2  # one row per currency
    assert re.search(r'<td class="still-due">-20(\.0+)?</td><td>USD</td><td>0</td><td>20(\.0+)?</td>',
                     rows)


def test_the_payment_form_on_a_later_page_returns_to_it(client, coordinator, payees,
                                                        small_pages):
    everyone = payees(3)
    client.force_login(coordinator)
    link = _next_link(client.get("/engagement/honoraria/").content.decode())
    page_two = client.get("/engagement/honoraria/" + link).content.decode()
    assert 'name="cursor"' in page_two.split('id="payment-form"')[1].split("</form>")[0]
    last = everyone[-1]
    had = HonorariumEntry.objects.filter(survivor=last).count()
    answer = client.post("/engagement/honoraria/", {
        "op": "pay", "survivor": last.pk, "amount": "10", "currency": "THB", "method": "cash",
        "on": "2026-02-01", "account_details": "", "cursor": page_two.split(
            'name="cursor" value="')[1].split('"')[0]})
    assert answer.status_code == 302
    assert "cursor=" in answer["Location"] and "done=pay" in answer["Location"]
    assert HonorariumEntry.objects.filter(survivor=last).count() == had + 1
    back = client.get(answer["Location"]).content.decode()
    assert list(dict.fromkeys(_references_in(back))) == [last.reference]


def test_the_rate_form_returns_to_the_page_it_was_sent_from(client, users, payees,
                                                            small_pages):
    payees(3)
    client.force_login(users[("a", Role.ORG_ADMIN)])
    link = _next_link(client.get("/engagement/honoraria/").content.decode())
    page_two = client.get("/engagement/honoraria/" + link).content.decode()
    form = page_two.split('id="rate-form"')[1].split("</form>")[0]
    cursor = form.split('name="cursor" value="')[1].split('"')[0]
    answer = client.post("/engagement/honoraria/", {
        "op": "rate", "kind": "training", "currency": "THB", "per_hour": "120",
        "cursor": cursor})
    assert answer.status_code == 302 and "cursor=" in answer["Location"]


def test_a_forged_cursor_on_the_honoraria_page_is_a_422_naming_it_and_pays_nothing(
        client, coordinator, payees, small_pages):
    someone, *_ = payees(3)
    had = HonorariumEntry.objects.filter(survivor=someone).count()
    client.force_login(coordinator)
    answer = client.get("/engagement/honoraria/?cursor=forged")
    assert answer.status_code == 422 and "cursor" in answer.content.decode()
    posted = client.post("/engagement/honoraria/", {
        "op": "pay", "survivor": someone.pk, "amount": "10", "currency": "THB",
        "method": "cash", "on": "2026-02-01", "account_details": "", "cursor": "forged"})
    assert posted.status_code == 422 and "cursor" in posted.content.decode()
    assert HonorariumEntry.objects.filter(survivor=someone).count() == had


def test_another_organisations_coordinator_sees_none_of_the_payees(client, users, payees):
    everyone = payees(3)
    client.force_login(users[("b", Role.COUNCIL_COORDINATOR)])
    html = client.get("/engagement/honoraria/").content.decode()
    assert 'id="honoraria-empty"' in html
    assert not any(p.reference in html for p in everyone)


def test_the_honoraria_page_builds_one_page_and_costs_the_same_past_it(
        client, coordinator, payees, small_pages):
    client.force_login(coordinator)
    few, many = few_and_many(lambda: client.get("/engagement/honoraria/"), payees,
                             few=3, many=12)
    assert many == few
    built = rows_built([Survivor, HonorariumEntry],
                       lambda: client.get("/engagement/honoraria/"))
    assert built.get("Survivor", 0) == SIZE + 1  # one more tells a next page
    assert built.get("HonorariumEntry", 0) == 0  # sums, not ledger lines
    shown = _references_in(client.get("/engagement/honoraria/").content.decode())
    # few_and_many paid two of the 12 payees in USD as well; either, both or neither may
    # sort onto page one, so at most one row per currency for each of SIZE payees.
    assert len(set(shown)) == SIZE and len(shown) <= 2 * SIZE


def test_the_honoraria_page_count_and_pager_in_khmer(client, coordinator, payees,
                                                     small_pages):
    payees(3)
    client.force_login(coordinator)
    client.cookies["django_language"] = "km"
    html = client.get("/engagement/honoraria/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "អ្នករស់រានមានជីវិត 3 នាក់" in html  # "3 survivors"
    assert "ទំព័របន្ទាប់" in html  # "Next page"


# --- Issue 13 (h-smallreads): the suggestions and the honoraria count, bounded reads -------


def test_suggestions_wait_for_two_characters_after_the_hyphen_in_khmer_too(
        client, coordinator, people):
    client.force_login(coordinator)
    client.cookies["django_language"] = "km"
    answer = client.get("/engagement/candidates/", {"reference": "ORGA-2"},
                        HTTP_ACCEPT_LANGUAGE="km")
    assert answer.status_code == 422
    assert "វាយលេខយោងរហូតដល់យ៉ាងហោចណាស់តួអក្សរពីរ" in answer.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_suggestions_are_a_range_of_the_organisations_references_in_order(
        coordinator, people, actor_for):
    shown = selectors.candidates_starting(actor_for(coordinator), "ORGA-2A")[:10]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: it would read them all
        plan = shown.explain()
    assert "survivor_org_reference" in plan and "Sort Key" not in plan, plan
    assert "Index Cond: ((organisation_id = " in plan and ">= 'ORGA-2A'" in plan, plan


def test_the_honoraria_count_is_its_payees_capped(client, coordinator, payees, actor_for,
                                                  users, settings):
    everyone = payees(5)
    other = actor_for(users[("b", Role.COUNCIL_COORDINATOR)])
    elsewhere = survivors.create_survivor(actor_for(users[("b", Role.CASEWORKER)]), data={
        "given_name": "Other", "nationality": "KH", "date_of_birth": "1990-01-01"})
    survivors.record_consent(actor_for(users[("b", Role.CASEWORKER)]), elsewhere,
                             purpose="engagement", language="km", method="verbal")
    engagement.record_payment(other, elsewhere, amount="5", currency="THB", method="cash",
                              on=dt.date(2026, 1, 1))
    actor = actor_for(coordinator)
    assert selectors.honoraria_payee_count(actor) == keyset.count(
        selectors.honoraria_payees(actor), exact=True) == keyset.Count(len(everyone), True)
    settings.NORTHSTAR_LIST_COUNT_CAP = 3
    assert selectors.honoraria_payee_count(actor) == keyset.Count(3, False)
    client.force_login(coordinator)
    assert "3+ survivors" in client.get("/engagement/honoraria/").content.decode()
    assert selectors.honoraria_payee_count(other) == keyset.Count(1, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_the_honoraria_count_reads_the_payees_from_an_index_alone(coordinator, payees,
                                                                   actor_for):
    payees(3)
    org = actor_for(coordinator).organisation.pk
    counted = selectors.ledger_payee_ids(org)[:1001]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: it would read them all
        plan = counted.explain()
    assert "honorarium_org_payee" in plan and "HashAggregate" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are "
                    "PostgreSQL's")
def test_whether_anyone_may_be_invited_is_planned_for_the_organisation_each_run(
        client, coordinator, council, people):
    people(1)
    client.force_login(coordinator)
    for _ in range(8):
        assert client.get("/engagement/councils/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()
                    if 'AS "a" FROM "survivors_survivor"' in row[0]
                    and "survivors_consent" in row[0]]
    assert prepared == []
