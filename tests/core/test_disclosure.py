from northstar.core import disclosure


def test_the_disclosure_threshold_is_data_with_a_source_and_a_date():
    entry = disclosure.RULES["min_cell"]
    assert entry["source"] and entry["checked"]
    assert disclosure.MIN_CELL == entry["value"] >= 2


def test_a_threshold_file_without_a_source_is_refused(tmp_path):
    import pytest

    bad = tmp_path / "d.toml"
    bad.write_text('version = "x"\n[min_cell]\nvalue = 3\nchecked = "2026-11-29"\n')
    with pytest.raises(ValueError, match="source"):
        disclosure._load(bad)
