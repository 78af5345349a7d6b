"""A create's stored answer is sent again only to a user the policy still lets read it.

``core/idempotency.py`` keeps the first answer to a create for 24 h. That answer shows the
record made (a survivor's details, a case...): a retry after the user's role changed, their
membership moved, or the record was archived or transferred must be refused exactly as a
fresh read of the record would be (404, or 403), and nothing replayed is audited as read.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import Router

from northstar.api import REPLAY_READS, Api
from northstar.api import api as northstar_api
from northstar.core import idempotency
from northstar.core.models import AuditEntry, IdempotencyKey, Membership
from northstar.core.roles import Role
from northstar.survivors import actions
from northstar.survivors.models import Case, Survivor

pytestmark = pytest.mark.django_db

NEW_SURVIVOR = {"given_name": "Dara", "family_name": "Retry", "sex": "female",
                "nationality": "KH", "languages": ["km"]}


def _first_then_replay(client, path, body, key, change):
    """The create, then ``change()``, then the same request again: (first, retry, audit
    entries written by the retry, records of the type now)."""
    first = client.post(path, body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    change(first.json())
    audited = AuditEntry.objects.count()
    retry = client.post(path, body, HTTP_IDEMPOTENCY_KEY=key)
    return first, retry, AuditEntry.objects.count() - audited


def _refused_as_a_read(retry, read, status=404):
    assert retry.status_code == status, retry.content
    assert read.status_code == status, read.content
    assert "Idempotent-Replayed" not in retry
    assert "Retry" not in retry.content.decode()  # nothing of the first answer


def test_a_replay_after_the_role_changed_is_refused_as_a_read(api, caseworker):
    client = api(caseworker)

    def becomes_researcher(_answer):
        Membership.objects.filter(user=caseworker).update(role=Role.RESEARCHER)

    first, retry, audited = _first_then_replay(client, "/api/v1/survivors", NEW_SURVIVOR,
                                               "role", becomes_researcher)
    _refused_as_a_read(retry, client.get(f"/api/v1/survivors/{first.json()['id']}"))
    assert audited == 0
    assert Survivor.objects.count() == 1  # nothing new


def test_a_replay_after_the_user_moved_organisation_is_refused(api, caseworker, org_b):
    client = api(caseworker)

    def moves(_answer):
        Membership.objects.filter(user=caseworker).update(organisation=org_b)

    first, retry, audited = _first_then_replay(client, "/api/v1/survivors", NEW_SURVIVOR,
                                               "moved", moves)
    _refused_as_a_read(retry, client.get(f"/api/v1/survivors/{first.json()['id']}"))
    assert audited == 0


def test_a_replay_of_an_archived_survivor_is_refused(api, caseworker, actor_for):
    client = api(caseworker)

    def archived(answer):
        actions.archive_survivor(actor_for(caseworker), Survivor.objects.get(pk=answer["id"]))

    first, retry, audited = _first_then_replay(client, "/api/v1/survivors", NEW_SURVIVOR,
                                               "archived", archived)
    _refused_as_a_read(retry, client.get(f"/api/v1/survivors/{first.json()['id']}"))
    assert audited == 0
    assert IdempotencyKey.objects.filter(key="archived").count() == 1  # kept, not replayed


def test_a_replay_of_a_survivor_transferred_away_is_refused(api, caseworker, org_b):
    client = api(caseworker)

    def transferred(answer):
        actions.move_survivor_to(Survivor.objects.get(pk=answer["id"]), org_b)

    first, retry, _ = _first_then_replay(client, "/api/v1/survivors", NEW_SURVIVOR,
                                         "transferred", transferred)
    _refused_as_a_read(retry, client.get(f"/api/v1/survivors/{first.json()['id']}"))


def test_a_replay_of_a_case_whose_survivor_was_archived_is_refused(
        api, caseworker, survivor_a, actor_for):
    client = api(caseworker)
    path = f"/api/v1/survivors/{survivor_a.pk}/cases"

    def survivor_archived(_answer):
        actions.archive_survivor(actor_for(caseworker), survivor_a)

    first, retry, audited = _first_then_replay(
        client, path, {"forms_of_exploitation": ["labour"]}, "case", survivor_archived)
    _refused_as_a_read(retry, client.get(f"/api/v1/cases/{first.json()['id']}"))
    assert audited == 0
    assert Case.objects.filter(survivor=survivor_a).count() == 1


def test_a_replay_of_a_record_read_through_its_case_asks_for_the_case(
        api, caseworker, case_a):
    """A timeline event has no page of its own: it is read through its case's."""
    client = api(caseworker)
    path = f"/api/v1/cases/{case_a.pk}/events"
    body = {"kind": "reflection_period_start", "occurred_on": "2025-01-10"}

    def case_archived(_answer):
        Case.objects.filter(pk=case_a.pk).update(archived_at="2025-02-01T00:00:00Z")

    _first, retry, audited = _first_then_replay(client, path, body, "event", case_archived)
    _refused_as_a_read(retry, client.get(path))
    assert audited == 0


def test_a_replay_the_policy_forbids_is_a_403_as_a_read_is(api, supervisor):
    """The fund's balance: a role that no longer works with the fund gets 403, as
    ``GET /api/v1/compensation/fund`` would give it."""
    client = api(supervisor)
    body = {"amount": "100", "received_on": "2025-09-01", "source": "Donor",
            "currency": "THB"}

    def becomes_researcher(_answer):
        Membership.objects.filter(user=supervisor).update(role=Role.RESEARCHER)

    _first, retry, audited = _first_then_replay(
        client, "/api/v1/compensation/fund/deposits", body, "fund", becomes_researcher)
    assert retry.status_code == 403, retry.content
    assert "Idempotent-Replayed" not in retry
    assert audited == 0


def test_a_replay_still_allowed_is_answered_and_audited_as_before(api, caseworker):
    client = api(caseworker)
    first, retry, audited = _first_then_replay(client, "/api/v1/survivors", NEW_SURVIVOR,
                                               "same", lambda _answer: None)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert audited == 1


def test_every_create_taking_a_key_has_a_read_check_and_none_is_left_over():
    keyed = {idempotency._record_type(op)
             for bound in northstar_api._get_bound_routers()
             for view in bound.path_operations.values() for op in view.operations
             if getattr(op, "idempotent", False)}
    assert keyed == set(REPLAY_READS)


def test_a_create_without_a_read_check_is_refused_at_start_up():
    router = Router()

    @router.post("/things", response={201: dict})
    def make_thing(request):  # pragma: no cover - never called
        return 201, {}

    class Auth:
        def __call__(self, request):  # pragma: no cover - never called
            return None

    bare = Api(urls_namespace="replay-check-test", auth=[Auth()])
    bare.add_router("", router)
    with pytest.raises(ImproperlyConfigured, match="/things"):
        idempotency.install(bare, {})
