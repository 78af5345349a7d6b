"""The one way to audit a read: ids stored whole, lists in one entry."""

import pytest

from northstar.core import audit
from northstar.core.models import AuditEntry


@pytest.mark.django_db
def test_a_list_read_names_every_id_whole_in_one_entry(survivor_a, caseworker, actor_for):
    ids = [10**12 + n for n in range(200)]
    entry = audit.record_read(actor_for(caseworker), ids, record_type="survivor")
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.record_ids == [str(i) for i in ids]
    assert stored.record_id == ""
    assert stored.action == "read"


@pytest.mark.django_db
def test_a_single_record_read_fills_record_id_and_type_from_the_model(survivor_a, caseworker,
                                                                     actor_for):
    entry = audit.record_read(actor_for(caseworker), survivor_a,
                              survivor_ref=survivor_a.reference, fields=["given_name"])
    assert (entry.record_type, entry.record_id) == ("survivor", str(survivor_a.pk))
    assert entry.record_ids == [str(survivor_a.pk)]
    assert entry.fields == ["given_name"]


@pytest.mark.django_db
def test_an_empty_list_writes_nothing_but_a_figures_read_with_a_note_does(caseworker, actor_for):
    before = AuditEntry.objects.count()
    assert audit.record_read(actor_for(caseworker), [], record_type="case") is None
    assert AuditEntry.objects.count() == before
    audit.record_read(actor_for(caseworker), (), record_type="figures", note="compensation")
    assert AuditEntry.objects.count() == before + 1
