"""A native speaker can work through the review list as a file and send it back."""

import csv
import io
import shutil

import polib
import pytest
from django.core.management import call_command

from northstar.core.roles import Role
from northstar.portal import catalogue, review_exchange


@pytest.fixture
def locale_copy(tmp_path, settings):
    target = tmp_path / "locale"
    shutil.copytree(catalogue.locale_dir(), target)
    settings.LOCALE_PATHS = [str(target)]
    return target


def _pending_km():
    return list(csv.DictReader(io.StringIO(review_exchange.export_csv("km"))))


def test_the_csv_lists_every_khmer_string_waiting_for_review(locale_copy):
    rows = _pending_km()
    waiting = [e for e in catalogue.parse_po(catalogue.po_path("km")) if e.translated and e.needs_review]
    assert len(rows) == len(waiting) > 0
    assert set(rows[0]) == set(review_exchange.COLUMNS)


def test_a_reviewed_row_is_applied_and_loses_its_needs_review_mark(locale_copy, tmp_path):
    rows = _pending_km()
    row = next(r for r in rows if "%(" not in r["english"])
    row["corrected"] = row["translation"] + " ✓"
    row["reviewed_by"] = "Sophea K."
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=review_exchange.COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / "km.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    call_command("translation_review", "--import-csv", "km", str(path))
    entry = polib.pofile(str(catalogue.po_path("km"))).find(row["english"], msgctxt=row["context"] or None)
    assert entry.msgstr == row["translation"] + " ✓"
    assert catalogue.REVIEW_MARK not in entry.tcomment.split("\n")
    assert "reviewed-by: Sophea K." in entry.tcomment
    assert len(_pending_km()) == len(rows) - 1


def test_a_correction_that_breaks_a_placeholder_is_refused(locale_copy):
    row = next(r for r in _pending_km() if "%(" in r["english"])
    outcome = review_exchange.import_rows("km", [{**row, "corrected": "គ្មាន", "reviewed_by": "X"}])
    assert outcome.reviewed == 0
    assert "placeholders" in outcome.refused[0]


def test_drafts_fill_only_english_only_strings_and_are_marked_for_review(locale_copy):
    po = polib.pofile(str(catalogue.po_path("km")))
    untranslated = next(e for e in po if not e.msgid_plural and "%" not in e.msgid)
    untranslated.msgstr = ""  # a string that is still English-only in this copy
    po.save(str(catalogue.po_path("km")))
    translated = next(e for e in po if e.msgstr and not e.msgid_plural)
    outcome = review_exchange.fill("km", {untranslated.msgid: "សាកល្បង", translated.msgid: "ផ្សេង"})
    assert outcome.drafted == 1
    po = polib.pofile(str(catalogue.po_path("km")))
    assert po.find(untranslated.msgid).msgstr == "សាកល្បង"
    assert catalogue.REVIEW_MARK in po.find(untranslated.msgid).tcomment.split("\n")
    assert po.find(translated.msgid).msgstr == translated.msgstr


def test_an_org_admin_downloads_a_language_list_but_a_caseworker_cannot(client, users):
    client.force_login(users[("a", Role.ORG_ADMIN)])
    answer = client.get("/portal/staff/translations/?language=km&download=csv")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert b"reviewed_by" in answer.content
    client.force_login(users[("a", Role.CASEWORKER)])
    assert client.get("/portal/staff/translations/?language=km&download=csv").status_code in (403, 404)


def test_an_unknown_language_is_said_in_a_sentence():
    with pytest.raises(review_exchange.ReviewFileError, match="no catalogue"):
        review_exchange.export_csv("xx")



def test_a_po_file_back_from_poedit_marks_what_the_reviewer_unfuzzied(locale_copy):
    exported = polib.pofile(review_exchange.export_po("km"))
    assert exported and all("fuzzy" in e.flags for e in exported)
    first = exported[0]
    first.flags.remove("fuzzy")
    outcome = review_exchange.import_po("km", str(exported), reviewer="Dara")
    assert outcome.reviewed == 1
    assert len(_pending_km()) == len(exported) - 1
