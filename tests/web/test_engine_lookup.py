"""The intake turns a step off only when an engine is truly absent, never to hide a bug."""

import sys

import pytest

from northstar.web.intake import engine


def test_an_absent_engine_turns_its_step_off():
    assert engine("northstar.no_such_app.actions") is None


def test_an_engine_that_fails_to_import_is_not_mistaken_for_an_absent_one(tmp_path, monkeypatch):
    (tmp_path / "broken_engine_for_test.py").write_text("import a_module_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "broken_engine_for_test", raising=False)
    with pytest.raises(ModuleNotFoundError):
        engine("broken_engine_for_test")


def test_a_present_engine_is_used():
    assert engine("northstar.pathways.actions").set_priorities
