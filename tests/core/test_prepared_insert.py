"""``core.prepared.insert``: a new row written as ``save(force_insert=True)`` writes it, with
the INSERT's SQL written once per process (issue 13: the survivor's 26-column INSERT was
compiled afresh on every create)."""

from __future__ import annotations

import pytest
from django.db.models import signals
from django.db.models.sql.compiler import SQLInsertCompiler

from northstar.core.fields import Sealed, reveal
from northstar.core.prepared import insert
from northstar.survivors import actions
from northstar.survivors.models import Survivor

pytestmark = pytest.mark.django_db

DATA = {"given_name": "Sreymom", "family_name": "Chan", "date_of_birth": "1994-03-02",
        "nationality": "KH", "languages": ["km"], "sex": "female", "phone": "+855 12 345 678"}


def test_a_create_writes_its_survivor_without_compiling_its_insert(caseworker, actor_for,
                                                                  monkeypatch):
    actor = actor_for(caseworker)
    actions.create_survivor(actor, data=DATA)  # the first in this process writes the SQL

    original = SQLInsertCompiler.as_sql

    def compiled(compiler, *args, **kwargs):
        assert compiler.query.model is not Survivor, "the survivor's INSERT was compiled again"
        return original(compiler, *args, **kwargs)  # the audit entry's, on SQLite

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", compiled)
    made = actions.create_survivor(actor, data=DATA)
    monkeypatch.undo()
    stored = Survivor.objects.get(pk=made.pk)
    assert stored.reference == made.reference and stored.version == 1
    assert stored.organisation_id == actor.organisation.pk and stored.created_by == caseworker
    assert isinstance(stored.given_name, Sealed)  # sealed at rest, as save() seals it
    assert {f: reveal(getattr(stored, f)) for f in ("given_name", "family_name", "date_of_birth",
                                                    "phone")} == {
        "given_name": "Sreymom", "family_name": "Chan", "date_of_birth": "1994-03-02",
        "phone": "+855 12 345 678"}
    assert stored.created_at == made.created_at and stored.has_cases is False
    assert made._state.adding is False and made._state.db == "default"


def test_a_model_with_a_receiver_is_saved_by_save(caseworker, actor_for):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    signals.post_save.connect(receiver, sender=Survivor, weak=False)
    try:
        made = actions.create_survivor(actor_for(caseworker), data=DATA)
    finally:
        signals.post_save.disconnect(receiver, sender=Survivor)
    assert seen == [(made.pk, True)]


def test_a_row_with_its_key_set_is_saved_by_save(caseworker, actor_for):
    made = actions.create_survivor(actor_for(caseworker), data=DATA)
    again = Survivor.objects.get(pk=made.pk)
    again.pk, again.reference = made.pk + 1000, made.reference + "X"
    insert(again)
    assert Survivor.objects.filter(pk=made.pk + 1000).exists()


def test_an_unsaved_parent_is_refused_as_save_refuses_it(caseworker):
    from northstar.core.models import Organisation

    orphan = Survivor(organisation=Organisation(name="Not saved", code="NOPE"),
                      created_by=caseworker, reference="NOPE-AAAAAA")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(orphan)
    assert not Survivor.objects.filter(reference="NOPE-AAAAAA").exists()


def test_a_model_with_its_own_save_is_saved_by_it(caseworker, actor_for):
    """A case fills its organisation from its survivor in its own ``save()``: a written
    INSERT that skipped it would store no organisation (and fail the NOT NULL)."""
    from northstar.survivors.models import Case

    survivor = actions.create_survivor(actor_for(caseworker), data=DATA)
    case = Case(survivor=survivor, created_by=caseworker, reference="CASE-OWN-SAVE",
                jurisdiction="KH", forms_of_exploitation=["labour"])
    insert(case)
    stored = Case.objects.get(pk=case.pk)
    assert stored.organisation_id == survivor.organisation_id
    assert stored.survivor_created_at == survivor.created_at
