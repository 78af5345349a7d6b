"""Bulk import from CSV: checked row by row, all or nothing, sealed, indexed, audited per batch."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from northstar.core.actor import Actor
from northstar.core.keys import ensure_writable
from northstar.core.models import AuditEntry, Job
from northstar.survivors import importer
from northstar.survivors.models import NameToken, Survivor

GOOD = (
    "given_name,family_name,date_of_birth,phone,sex,nationality,languages,interpreter_needed\n"
    "Sokha,Chan,1998-04-12,+855 12 345 678,female,KH,km,yes\n"
    "Thị Lan,Nguyễn,,0912 345 678,female,VN,vi;en,no\n"
)


def test_a_good_file_is_imported_sealed_indexed_and_audited_per_batch(api, caseworker, org_a,
                                                                       tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_survivors", str(path), "--organisation", org_a.code,
                 "--as", caseworker.username)
    people = list(Survivor.objects.filter(organisation=org_a))
    assert len(people) == 2
    lan = next(p for p in people if p.nationality == "VN")
    assert lan.languages == ["vi", "en"] and lan.interpreter_needed is False
    assert str(lan.given_name) == "•••"  # sealed, opened only on purpose
    assert NameToken.objects.filter(survivor=lan).exists()
    entry = AuditEntry.objects.get(note__startswith="bulk import")
    assert sorted(entry.record_ids) == sorted(str(p.pk) for p in people)
    # Found by name at once, through the same index as every other record.
    hits = api(caseworker).get("/api/v1/survivors/search?q=Nguyen Lan").json()
    assert hits[0]["id"] == lan.pk


def test_a_bad_row_names_its_row_and_column_and_nothing_is_written(org_a, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "Dara,Meas,12/04/1998,,female,KH,km,no\n"
                    "Bopha,Kim,,,alien,KH,km,no\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_survivors", str(path), "--organisation", org_a.code)
    message = str(refused.value)
    assert "Row 4, column date_of_birth: must be a date as YYYY-MM-DD." in message
    assert "Row 5, column sex" in message
    assert Survivor.objects.count() == 0 and NameToken.objects.count() == 0


def test_an_unknown_column_is_refused_by_name(org_a):
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_rows("given_name,surname\nSokha,Chan\n")
    assert "Column “surname”" in refused.value.errors[0]


def test_the_import_runs_as_a_job_with_progress_and_keeps_the_file_sealed(
        caseworker, org_a, django_capture_on_commit_callbacks):
    rows = [{"given_name": f"Person{i}", "family_name": "Demo", "sex": "female"}
            for i in range(importer.BATCH + 5)]
    with django_capture_on_commit_callbacks(execute=True):
        job = importer.submit_import(Actor.for_user(caseworker, "web"), org_a,
                                     importer.rows_to_csv(rows))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.result == {"imported": importer.BATCH + 5, "errors": []}
    assert job.done == job.total == importer.BATCH + 5
    assert "Person1" not in str(job.params)
    assert AuditEntry.objects.filter(note__startswith="bulk import").count() == 2


def test_a_refused_file_in_a_job_reports_its_errors(caseworker, org_a,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = importer.submit_import(Actor.for_user(caseworker, "web"), org_a,
                                     "given_name,date_of_birth\nSokha,tomorrow\n")
    job.refresh_from_db()
    assert job.result["imported"] == 0
    assert job.result["errors"] == ["Row 2, column date_of_birth: must be a date as YYYY-MM-DD."]
    assert Survivor.objects.count() == 0


@pytest.mark.parametrize("birth", ["2015-03-01", ""], ids=["child", "age unknown"])
def test_an_imported_child_is_never_named_in_public_advocacy(birth):
    """The same rule as every other channel: a child, or someone whose age is unknown,
    takes part in advocacy only anonymously."""
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_rows("given_name,family_name,date_of_birth,advocacy_visibility\n"
                           f"Dara,Kim,{birth},public\n")
    assert refused.value.errors[0].startswith("Row 2, column advocacy_visibility: a child")
    assert importer.read_rows("given_name,family_name,date_of_birth,advocacy_visibility\n"
                              "Dara,Kim,1990-03-01,public\n")


# --- Set-based: the queries grow with batches, never with rows ------------------------

SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tu", "vi", "pho", "dan", "sey"]


def people(n: int, offset: int = 0) -> list[dict]:
    """``n`` people, each with a given name no one else has (made of syllables, as a
    register's names are), a family name many share, a birth date and a phone."""
    out = []
    for i in range(offset, offset + n):
        digits = f"{i:04d}"
        given = "".join(SYLLABLES[int(d)] for d in digits).capitalize()
        out.append({"given_name": given, "family_name": ["Chan", "Nguyễn", "Srisuk"][i % 3],
                    "date_of_birth": f"{1970 + i % 30}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "phone": f"+855 12 {i:06d}", "sex": "female", "nationality": "KH",
                    "languages": "km", "interpreter_needed": "no"})
    return out


def queries_to_import(actor, organisation, rows) -> list[str]:
    """The statements one import makes (a COPY or an ``executemany`` counts once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checked = importer.read_rows(importer.rows_to_csv(rows))
    with CaptureQueriesContext(connection) as captured:
        ids = importer.import_rows(actor, organisation, checked)
    assert len(ids) == len(rows)
    return [q["sql"][:80] for q in captured.captured_queries]


def test_an_import_costs_queries_per_batch_not_per_row(org_a):
    """Few vs many: 3, 30 and a full batch of rows cost the same queries; a second audit
    batch adds what one audit entry costs, 2,000 rows no more than that."""
    actor = Actor.system("cli", organisation=org_a)
    ensure_writable()  # the first write to a new database checks its key ring once
    few = queries_to_import(actor, org_a, people(3))
    many = queries_to_import(actor, org_a, people(30, offset=10))
    full = queries_to_import(actor, org_a, people(importer.BATCH, offset=100))
    assert len(few) == len(many) == len(full), (few, many, full)
    one_more = queries_to_import(actor, org_a, people(importer.BATCH + 1, offset=2000))
    two_batches = queries_to_import(actor, org_a, people(2 * importer.BATCH, offset=4000))
    assert len(two_batches) == len(one_more) > len(full), (full, two_batches)
    assert NameToken.objects.filter(organisation=org_a).values("survivor").distinct().count() \
        == Survivor.objects.filter(organisation=org_a).count() == 3 + 30 + 1000 + 1001 + 2000


def test_an_error_in_the_last_row_of_2000_stores_nothing(org_a):
    rows = people(2000)
    rows[-1]["date_of_birth"] = "1999-02-30"
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_csv(Actor.system("cli", organisation=org_a), org_a,
                            importer.rows_to_csv(rows))
    assert refused.value.errors == ["Row 2001, column date_of_birth: must be a date as "
                                    "YYYY-MM-DD."]
    assert Survivor.objects.count() == NameToken.objects.count() == 0
    assert not AuditEntry.objects.filter(note__startswith="bulk import").exists()


def test_a_failure_while_writing_the_last_chunk_rolls_back_the_chunks_written_before(
        org_a, monkeypatch):
    """All or nothing holds after rows were checked too: chunks already written (survivors,
    tokens, audit entries) go when a later one fails."""
    monkeypatch.setattr(importer, "CHUNK", 500)
    rows = importer.read_rows(importer.rows_to_csv(people(2000)))

    def fail_at_the_end(done, total):
        if done == total:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        importer.import_rows(Actor.system("cli", organisation=org_a), org_a, rows,
                             progress=fail_at_the_end)
    assert Survivor.objects.count() == NameToken.objects.count() == 0
    assert not AuditEntry.objects.filter(note__startswith="bulk import").exists()


def test_every_imported_record_is_indexed_as_a_single_create_would_index_it(caseworker, org_a):
    """Each of 2,000 records has exactly the name tokens and the duplicate key the one-record
    path (``actions.create_survivor``) gives it; a sample is then found by the name search
    and by the duplicate check as a caseworker uses them."""
    from northstar.core.crypto import duplicate_key
    from northstar.survivors import actions, search

    rows = people(2000)
    ids = importer.import_csv(Actor.for_user(caseworker, "cli"), org_a, importer.rows_to_csv(rows))
    stored: dict[int, set] = {pk: set() for pk in ids}
    for pk, kind, weight, digest in NameToken.objects.values_list("survivor_id", "kind",
                                                                  "weight", "digest"):
        stored[pk].add((kind, weight, digest))
    keys = dict(Survivor.objects.values_list("pk", "duplicate_key"))
    for pk, row in zip(ids, rows, strict=True):
        expected = search.tokens_for_values(Survivor(pk=pk, organisation=org_a), row)
        assert stored[pk] == {(t.kind, t.weight, t.digest) for t in expected}, row
        assert keys[pk] == duplicate_key(f"{row['given_name']} {row['family_name']}",
                                         row["date_of_birth"])
    actor = Actor.for_user(caseworker, "web")
    for pk, row in list(zip(ids, rows, strict=True))[::250]:
        hits = search.candidates(org_a.pk, f"{row['given_name']} {row['family_name']}")
        assert hits[0][0] == pk
        found = actions.find_duplicates(actor, given_name=row["given_name"],
                                        family_name=row["family_name"],
                                        date_of_birth=row["date_of_birth"])
        assert found[0].survivor.pk == pk and "same name and date of birth" in found[0].reasons


def test_the_audit_names_every_created_id_and_the_chain_still_verifies(caseworker, org_a):
    from northstar.core import audit

    ids = importer.import_csv(Actor.for_user(caseworker, "cli"), org_a,
                              importer.rows_to_csv(people(2 * importer.BATCH + 500)))
    entries = list(AuditEntry.objects.filter(note__startswith="bulk import"))
    assert len(entries) == 3
    named = [int(i) for e in entries for i in e.record_ids]
    assert sorted(named) == sorted(ids)  # every id, each once
    assert {e.action for e in entries} == {"create"}
    assert {e.actor_id for e in entries} == {caseworker.pk}
    assert audit.verify_chain() is None


# --- Two sides at once: the next chunk checked and prepared while this one is written ---

def test_a_file_of_several_chunks_gives_each_record_what_a_single_create_gives_it(
        caseworker, org_a, monkeypatch):
    """Chunks checked, sealed and indexed in the helper thread while the database writes
    the one before: every record still opens to its row, has the one-record path's tokens
    and duplicate key, its own reference, and is found by name."""
    from northstar.core.crypto import duplicate_key
    from northstar.core.fields import reveal
    from northstar.survivors import search

    monkeypatch.setattr(importer, "CHUNK", 300)
    rows = people(1000, offset=7000)
    ids = importer.import_csv(Actor.for_user(caseworker, "cli"), org_a, importer.rows_to_csv(rows))
    assert len(ids) == len(set(ids)) == 1000
    people_by_id = Survivor.objects.in_bulk(ids)
    assert len({s.reference for s in people_by_id.values()}) == 1000
    stored: dict[int, set] = {pk: set() for pk in ids}
    for pk, kind, weight, digest in NameToken.objects.values_list("survivor_id", "kind",
                                                                  "weight", "digest"):
        stored[pk].add((kind, weight, digest))
    for pk, row in zip(ids, rows, strict=True):
        person = people_by_id[pk]
        assert (reveal(person.given_name), reveal(person.family_name),
                reveal(person.date_of_birth), reveal(person.phone)) == (
            row["given_name"], row["family_name"], row["date_of_birth"], row["phone"])
        expected = search.tokens_for_values(Survivor(pk=pk, organisation=org_a), row)
        assert stored[pk] == {(t.kind, t.weight, t.digest) for t in expected}, row
        assert person.duplicate_key == duplicate_key(
            f"{row['given_name']} {row['family_name']}", row["date_of_birth"])
    for pk, row in list(zip(ids, rows, strict=True))[::97]:
        hits = search.candidates(org_a.pk, f"{row['given_name']} {row['family_name']}")
        assert hits[0][0] == pk


def test_the_pipelined_file_import_stores_what_checking_first_stores(org_a, monkeypatch):
    """``import_csv`` (checks in the helper thread) and ``read_rows`` + ``import_rows``
    (every row checked first) store the same columns and tokens for the same file."""
    monkeypatch.setattr(importer, "CHUNK", 250)
    actor = Actor.system("cli", organisation=org_a)
    text = importer.rows_to_csv(people(600, offset=100))
    first = importer.import_csv(actor, org_a, text)
    second = importer.import_rows(actor, org_a, importer.read_rows(text))
    plain = ("birth_year", "sex", "nationality", "languages", "interpreter_needed",
             "duplicate_key", "created_by_id", "organisation_id")
    a = list(Survivor.objects.filter(pk__in=first).order_by("pk").values_list(*plain))
    b = list(Survivor.objects.filter(pk__in=second).order_by("pk").values_list(*plain))
    assert a == b

    def tokens(ids):
        return [sorted(NameToken.objects.filter(survivor_id=pk).values_list("kind", "weight",
                                                                            "digest"))
                for pk in ids]
    assert tokens(first) == tokens(second)


def test_a_refused_row_in_a_later_chunk_takes_back_the_chunks_written_and_names_every_problem(
        org_a, monkeypatch):
    """Chunks before the bad one were written while it was checked: they go, with their
    tokens and audit entries, and the refusal lists the file's problems as a check-first
    read lists them (rows in two chunks, a row with too many values)."""
    monkeypatch.setattr(importer, "CHUNK", 200)
    rows = people(1000)
    rows[650]["date_of_birth"] = "1999-02-30"
    rows[990]["interpreter_needed"] = "perhaps"
    text = importer.rows_to_csv(rows) + "Extra,Person,1990-01-01,+855 12 1,female,KH,km,no,x,y," \
        "z,a,b,c,d,e,f,g\n"
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_csv(Actor.system("cli", organisation=org_a), org_a, text)
    with pytest.raises(importer.ImportRefused) as checked_first:
        importer.read_rows(text)
    assert refused.value.errors == checked_first.value.errors == [
        "Row 652, column date_of_birth: must be a date as YYYY-MM-DD.",
        "Row 992, column interpreter_needed: must be yes or no.",
        "Row 1002 has more values than the header has columns.",
    ]
    assert Survivor.objects.count() == NameToken.objects.count() == 0
    assert not AuditEntry.objects.filter(note__startswith="bulk import").exists()
