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


# --- one suppression for every aggregate figure ------------------------------------


def test_small_cells_are_hidden_and_empty_or_large_ones_shown():
    # With MIN_CELL = 3: 0 people is no one to identify, 1–2 is too few, 3 is enough.
    assert disclosure.MIN_CELL == 3
    people = {"none": 0, "one": 1, "two": 2, "three": 3, "many": 9}
    assert disclosure.hidden_cells(people, additive=False) == {"one", "two"}


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    # The cells add up to a shown total: 2 hidden alone could be recovered as total − 4 − 7.
    people = {"a": 2, "b": 7, "c": 4, "d": 0}
    assert disclosure.hidden_cells(people) == {"a", "c"}


def test_two_hidden_cells_need_no_complement():
    assert disclosure.hidden_cells({"a": 1, "b": 2, "c": 9}) == {"a", "b"}


def test_a_lone_hidden_cell_with_nothing_else_to_hide_stays_alone():
    assert disclosure.hidden_cells({"a": 2, "b": 0}) == {"a"}


def test_ties_for_the_complement_are_broken_by_name_so_the_result_is_stable():
    assert disclosure.hidden_cells({"z": 5, "a": 1, "m": 5}) == {"a", "m"}


def test_suppress_counts_people_not_rows():
    # Three claims by one survivor are one person: hidden, although the count is 3.
    shown = disclosure.suppress({"civil": "300.00", "fund": "900.00", "court": "50.00"},
                                {"civil": 1, "fund": 5, "court": 4})
    assert shown == {"civil": None, "fund": "900.00", "court": None}


def test_suppress_uses_the_count_itself_where_no_people_are_given():
    assert disclosure.suppress({"yes": 1, "no": 6, "undecided": 0}, additive=False) == {
        "yes": None, "no": 6, "undecided": 0}
    assert disclosure.suppress({"yes": 1, "no": 6, "undecided": 0}, blank="<3") == {
        "yes": "<3", "no": "<3", "undecided": 0}
