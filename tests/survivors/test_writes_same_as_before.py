"""Recording and correcting a survivor store and answer exactly what they did before the write
path was made leaner (issue 13: tokens in one INSERT of arrays, no savepoint around a create,
the chain lock and the audit INSERT in one round trip, an update writing only its columns).

The earlier actions are kept below as the reference (``reference_create``,
``reference_update``, as they were at c1cc1b1); each case is written both ways, through the
API for the new path, and the stored rows, the audit entries, the name-index tokens and the
answers are compared.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import ValidationError

from northstar.core import audit
from northstar.core.errors import DomainError
from northstar.core.fields import MASK, Sealed, reveal
from northstar.core.models import AuditEntry
from northstar.survivors import actions, search
from northstar.survivors.api import survivor_out
from northstar.survivors.models import NameToken, Survivor
from northstar.survivors.schemas import SurvivorIn, SurvivorPatch
from northstar.survivors.validation import clean_survivor


# --- the reference: the actions as they were ------------------------------------------------
@transaction.atomic
def reference_create(actor, *, data: dict) -> Survivor:
    values = clean_survivor(data)
    if values.get("date_of_birth") and not values.get("birth_year"):
        values["birth_year"] = int(values["date_of_birth"][:4])
    survivor = Survivor(organisation=actor.organisation, created_by=actor.user, **values)
    survivor.duplicate_key = actions._duplicate_key_for(values)
    actions._check_child_advocacy(survivor)
    for _ in range(5):
        survivor.reference = actions._new_reference(actor.organisation)
        try:
            with transaction.atomic():
                survivor.save()
            break
        except IntegrityError:
            continue
    NameToken.objects.bulk_create(search.tokens_for_values(survivor, values))
    audit.record(actor, "create", "survivor", survivor.pk, survivor_ref=survivor.reference,
                 fields=values.keys())
    return survivor


@transaction.atomic
def reference_update(actor, survivor: Survivor, *, version: int, changes: dict) -> Survivor:
    values = clean_survivor(changes)
    current = Survivor.objects.select_for_update().get(pk=survivor.pk)
    if current.version != version:
        raise actions._stale("survivor", current, version, "survivor")
    for key, value in values.items():
        setattr(current, key, value)
    if "date_of_birth" in values and values["date_of_birth"]:
        current.birth_year = int(values["date_of_birth"][:4])
    if {"given_name", "family_name", "date_of_birth"} & values.keys():
        merged = {k: reveal(getattr(current, k)) for k in ("given_name", "family_name",
                                                           "date_of_birth")}
        current.duplicate_key = actions._duplicate_key_for(merged)
    actions._check_child_advocacy(current)
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    if set(search.INDEXED_FIELDS) & values.keys():
        old_index(current)
    audit.record(actor, "update", "survivor", current.pk, survivor_ref=current.reference,
                 fields=values.keys(), note=actions._version_note(current.version))
    return current


@transaction.atomic
def old_index(survivor: Survivor) -> None:
    NameToken.objects.filter(survivor_id=survivor.pk).delete()
    NameToken.objects.bulk_create(search.tokens_for_values(survivor, search.plaintext_of(survivor)))


def as_parsed(schema, data: dict) -> dict:
    """What the API handler hands its action: the body as its schema reads it."""
    parsed = schema.model_validate(data).model_dump(exclude_unset=True)
    parsed.pop("version", None)
    return parsed


# --- what is compared -------------------------------------------------------------------------
NOT_COMPARED = {"id", "reference", "created_at", "updated_at"}


def stored(pk: int) -> dict:
    """Every column of the survivor as stored (sealed ones opened: their tokens differ by
    nonce), its name-index tokens and its write entries in the audit log."""
    row = Survivor.objects.get(pk=pk)
    columns = {}
    for f in Survivor._meta.concrete_fields:
        if f.name in NOT_COMPARED:
            continue
        value = getattr(row, f.attname)
        columns[f.name] = reveal(value) if getattr(f, "sealed", False) else value
    tokens = sorted(NameToken.objects.filter(survivor_id=pk).values_list(
        "organisation_id", "kind", "weight", "digest", "key_id"))
    entries = [(e.action, e.record_type, e.fields, e.note, e.actor_label, e.channel,
                e.organisation_id, e.owner_organisation_id, e.survivor_ref == row.reference)
               for e in AuditEntry.objects.filter(record_type="survivor", record_id=str(pk))
               .exclude(action="read").order_by("id")]
    return {"columns": columns, "tokens": tokens, "audit": entries}


def answer(data: dict) -> dict:
    """An answer without what differs between two records by nature (the JSON's
    ``"personal": null`` is the schema's rendering of a handler's absent key)."""
    data = {"personal": None, **data}
    return {k: v for k, v in data.items() if k not in NOT_COMPARED}


def everything() -> tuple:
    return (Survivor.objects.count(), NameToken.objects.count(),
            AuditEntry.objects.exclude(action="read").count())


CREATES = [
    {},
    {"given_name": "Sokha", "family_name": "Chan"},
    {"given_name": "Demo Sokha", "family_name": "Testperson", "date_of_birth": "1998-04-12",
     "phone": "+855 12 345 678; 012 999 888", "address": "Demo street 1", "sex": "female",
     "nationality": "KH", "languages": ["km", "th"], "preferred_language": "km",
     "interpreter_needed": True, "aliases": "Kha, Sokha C.", "family_involved": "yes"},
    {"given_name": "สมชาย", "family_name": "ใจดี", "birth_year": 1990, "gender": "man",
     "advocacy_visibility": "public"},
    {"given_name": "សុខា", "family_name": "ចាន់", "date_of_birth": "2012-02-29",
     "advocacy_visibility": "anonymous"},
    {"given_name": "Maria-José", "family_name": "O'Neill da Silva", "phone": "0812345678",
     "id_document_numbers": "P1234567", "contact_notes": "evenings only"},
    {"birth_year": 2008, "sex": "male"},
    {"given_name": "  Anh  ", "family_name": "Nguyen", "date_of_birth": None, "aliases": ""},
]


@pytest.mark.parametrize("data", CREATES)
def test_recording_a_survivor_stores_and_answers_what_the_earlier_create_did(
        api, caseworker, actor_for, data):
    actor = actor_for(caseworker, "api")
    r = api(caseworker).post("/api/v1/survivors", data)
    assert r.status_code == 201, r.content
    before = reference_create(actor, data=as_parsed(SurvivorIn, data))
    assert answer(r.json()) == answer(survivor_out(actor, before, personal=False))
    new, old = stored(r.json()["id"]), stored(before.pk)
    assert new == old
    assert new["tokens"] or not (data.get("given_name") or data.get("family_name"))
    assert len(new["audit"]) == 1


BAD_CREATES = [
    ({"sex": "alien"}, "sex"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"date_of_birth": "2000-01-01", "birth_year": 1990}, "birth_year"),
    ({"given_name": "x" * 201}, "given_name"),
    ({"languages": ["klingon"]}, "languages"),
    ({"date_of_birth": "2015-05-05", "advocacy_visibility": "public"}, "advocacy_visibility"),
    ({"birth_year": 2010, "advocacy_visibility": "public", "given_name": "Child"},
     "advocacy_visibility"),
]


@pytest.mark.parametrize("data,field", BAD_CREATES)
def test_a_refused_survivor_is_refused_naming_the_same_field_and_nothing_is_stored(
        api, caseworker, actor_for, data, field):
    before = everything()
    r = api(caseworker).post("/api/v1/survivors", data)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert everything() == before
    with pytest.raises(DomainError) as refused:
        reference_create(actor_for(caseworker, "api"), data=data)
    assert refused.value.field == field
    assert everything() == before


UPDATES = [
    {"interpreter_needed": True},
    {"phone": "+66 81 234 5678"},
    {"given_name": "Sokhom", "aliases": "Khom"},
    {"date_of_birth": "1997-03-01"},
    {"date_of_birth": None},
    {"family_name": "Chanthy", "languages": ["km", "en"], "nationality": "TH"},
    {"phone": "", "aliases": ""},
    {"advocacy_visibility": "public"},
    {"contact_notes": "moved", "address": "Somewhere 2", "gender": "woman"},
]


def test_correcting_a_survivor_step_by_step_stores_and_answers_what_the_earlier_update_did(
        api, caseworker, actor_for):
    actor = actor_for(caseworker, "api")
    start = CREATES[2]
    new_pk = api(caseworker).post("/api/v1/survivors", start).json()["id"]
    old = reference_create(actor, data=as_parsed(SurvivorIn, start))
    client = api(caseworker)
    for number, changes in enumerate(UPDATES, start=1):
        r = client.patch(f"/api/v1/survivors/{new_pk}", {"version": number, **changes})
        assert r.status_code == 200, (changes, r.content)
        old = reference_update(actor, old, version=number,
                               changes=as_parsed(SurvivorPatch, {"version": 1, **changes}))
        assert answer(r.json()) == answer(survivor_out(actor, old, personal=False)), changes
        assert stored(new_pk) == stored(old.pk), changes
    assert r.json()["version"] == len(UPDATES) + 1


def test_a_stale_or_refused_correction_answers_the_same_and_changes_nothing(
        api, caseworker, actor_for):
    actor = actor_for(caseworker, "api")
    data = {"given_name": "Dara", "family_name": "Keo", "date_of_birth": "2011-06-01"}
    new_pk = api(caseworker).post("/api/v1/survivors", data).json()["id"]
    old = reference_create(actor, data=as_parsed(SurvivorIn, data))
    client = api(caseworker)
    assert client.patch(f"/api/v1/survivors/{new_pk}", {"version": 1, "phone": "1"}).status_code \
        == 200
    reference_update(actor, old, version=1, changes={"phone": "1"})
    for payload, status, field in [
        ({"version": 1, "phone": "2"}, 409, "version"),  # stale
        ({"version": 2, "advocacy_visibility": "public"}, 422, "advocacy_visibility"),  # a child
        ({"version": 2, "date_of_birth": "3000-01-01"}, 422, "date_of_birth"),
    ]:
        before = (stored(new_pk), everything())
        r = client.patch(f"/api/v1/survivors/{new_pk}", payload)
        assert r.status_code == status, r.content
        assert r.json()["field"] == field
        assert (stored(new_pk), everything()) == before
        try:
            changes = as_parsed(SurvivorPatch, payload)
        except ValidationError:  # the schema refuses it before any action, old or new
            continue
        with pytest.raises(DomainError) as refused:
            reference_update(actor, Survivor.objects.get(pk=old.pk),
                             version=payload["version"], changes=changes)
        assert refused.value.field == field
    assert stored(new_pk) == stored(old.pk)


def test_an_updated_survivor_holds_masks_not_the_text_just_typed(caseworker, actor_for,
                                                                 survivor_a):
    """The record an update hands back is as if read back: a template or a log line showing
    it prints masks, and the stored token is the one it holds."""
    updated = actions.update_survivor(actor_for(caseworker), survivor_a, version=1,
                                      changes={"given_name": "Sokhom", "phone": "",
                                               "date_of_birth": "1999-01-01"})
    assert isinstance(updated.given_name, Sealed) and str(updated.given_name) == MASK
    assert updated.phone == ""
    fresh = Survivor.objects.get(pk=survivor_a.pk)
    assert updated.given_name.token == fresh.given_name.token
    assert updated.given_name.reveal() == "Sokhom"
    assert updated.date_of_birth == fresh.date_of_birth and updated.birth_year == 1999
    assert updated.version == fresh.version == 2
    assert updated.updated_at == fresh.updated_at


@pytest.mark.parametrize("alone", [
    pytest.param(False, id="inside-a-transaction"),
    pytest.param(True, id="its-own-transaction", marks=pytest.mark.django_db(transaction=True)),
])
def test_a_reference_code_already_taken_is_drawn_again_and_nothing_is_stored_twice(
        monkeypatch, caseworker, actor_for, survivor_a, alone):
    """The create runs its transaction again with another code: one survivor, one set of
    tokens, one audit entry, under the second code; whether it runs in a transaction of its
    own (an API request: the clash rolls the whole of it back) or inside a caller's (a
    savepoint)."""
    from django.db import connection

    assert connection.in_atomic_block is not alone
    drawn = iter([survivor_a.reference, "MHF-FRESH2"])
    codes = []

    def next_code(organisation):
        codes.append(next(drawn).replace("MHF", organisation.code))
        return codes[-1]

    monkeypatch.setattr(actions, "_new_reference", next_code)
    before = everything()
    created = actions.create_survivor(actor_for(caseworker), data={"given_name": "Bopha",
                                                                   "family_name": "Sok"})
    assert created.reference == codes[1] != survivor_a.reference
    assert everything() == (before[0] + 1, before[1] + len(stored(created.pk)["tokens"]),
                            before[2] + 1)
    assert Survivor.objects.filter(reference=survivor_a.reference).count() == 1
    assert len(stored(created.pk)["audit"]) == 1


def test_token_columns_needing_quotes_are_not_sent_as_bare_array_literals():
    """Ids, kinds, weights, hex digests and key ids go as ``{…}`` literals; a value with a
    comma, a brace, a quote or a space (none is expected) goes as a list, quoted by the driver."""
    rows = [(7, 1, "tri", 1, "ab12", "k1"), (7, 1, "word", 4, "cd34", "k,1")]
    survivor_ids, organisation_ids, kinds, weights, digests, key_ids = search._array_literals(rows)
    assert (survivor_ids, kinds, weights, digests) == ("{7,7}", "{tri,word}", "{1,4}",
                                                       "{ab12,cd34}")
    assert key_ids == ["k1", "k,1"]
    assert search._array_literals([(7, 1, "tri", 1, "a b", '"k"')])[4:] == [["a b"], ['"k"']]
