"""The catalogue reader (polib) finds what still waits for a native speaker's review."""

from northstar.portal import catalogue

PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

# needs-review
#: northstar/portal/texts.py:12
msgctxt "consent"
msgid "You can say no."
msgstr "អ្នកអាចនិយាយថាទេ។"

# reviewed-by: Sokha 2026-11-30
msgid "Your case"
msgstr "សំណុំរឿងរបស់អ្នក"

# needs-review
#, fuzzy
msgid "Hearing"
msgstr "សវនាការ"

# needs-review
msgid "{n} payment"
msgid_plural "{n} payments"
msgstr[0] "ការទូទាត់ {n}"

#~ msgid "Old sentence"
#~ msgstr "ប្រយោគចាស់"
'''


def test_entries_keep_context_comments_references_and_plurals(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(PO, encoding="utf-8")
    entries = {e.msgid: e for e in catalogue.parse_po(path)}
    assert set(entries) == {"You can say no.", "Your case", "Hearing", "{n} payment"}
    said = entries["You can say no."]
    assert said.msgctxt == "consent" and said.needs_review and said.translated
    assert said.references == ["northstar/portal/texts.py:12"]
    assert not entries["Your case"].needs_review
    assert entries["Hearing"].needs_review and not entries["Hearing"].translated  # fuzzy
    plural = entries["{n} payment"]
    assert plural.plural and plural.msgstr == "ការទូទាត់ {n}" and plural.needs_review


def test_a_catalogue_is_parsed_again_only_when_its_file_changes(tmp_path):
    """The review page parsed all eight catalogues on every view (0.35-0.9 s of CPU)."""
    path = tmp_path / "django.po"
    path.write_text(PO, encoding="utf-8")
    first = catalogue.parse_po(path)
    again = catalogue.parse_po(path)
    assert again == first and all(a is b for a, b in zip(again, first, strict=True))
    path.write_text(PO.replace("Your case", "Your file"), encoding="utf-8")
    changed = {e.msgid for e in catalogue.parse_po(path)}
    assert "Your file" in changed and "Your case" not in changed
