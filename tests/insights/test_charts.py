"""The charts: a hidden cell is never a zero, every bar says what it is in words, any script
survives, and every chart is an accessible image that scales to a phone.

Pure functions: SVG text in, parsed here as XML (so a broken or unescaped chart fails too).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from northstar.insights import charts

NS = {"s": "http://www.w3.org/2000/svg"}
HIDDEN = "hidden (fewer than 11 people)"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def cells(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == kind]


def test_a_hidden_share_is_drawn_as_hatched_and_labelled_never_as_zero():
    root = parse(charts.horizontal_bars(
        "trial", "Own outcome delivered", "Share by trial participation",
        [("With a trial", 0.63), ("Without a trial", None), ("Trial undecided", 0.0)],
        share=True, hidden_label=HIDDEN))
    hidden = cells(root, "hidden-cell")
    assert len(hidden) == 1
    rect = hidden[0].find("s:rect", NS)
    assert rect.get("fill") == "url(#trial-h)"          # hatched, not a solid bar
    assert float(rect.get("width")) > 300               # the whole track, not a zero-width bar
    assert "".join(hidden[0].find("s:text", NS).itertext()) == HIDDEN
    shown = {g.get("data-value"): g for g in cells(root, "cell")}
    assert set(shown) == {"0.63", "0.0"}                 # the hidden one is not among the values
    # A real zero is an empty bar labelled 0%; the hidden one says so in words instead.
    assert float(shown["0.0"].find("s:rect", NS).get("width")) == 0
    assert "".join(shown["0.0"].find("s:text", NS).itertext()) == "0%"
    assert texts(root).count("0%") == 2                  # the zero bar and the axis' start only


def test_every_bar_is_labelled_with_its_category_and_value_in_words():
    root = parse(charts.horizontal_bars(
        "j", "By jurisdiction", "d", [("Thailand", 0.4), ("Cambodia", 0.75)], share=True))
    words = texts(root)
    for expected in ("Thailand", "Cambodia", "40%", "75%", "100%"):
        assert expected in words


def test_grouped_bars_name_each_series_beside_its_bar_not_by_colour_alone():
    root = parse(charts.grouped_bars(
        "g", "First-ranked outcome delivered", "d",
        [("Monetary support", [("With a trial", 0.5), ("Without a trial", 0.2)]),
         ("Safety", [("With a trial", None), ("Without a trial", 0.3)])],
        share=True, hidden_label=HIDDEN))
    words = texts(root)
    assert words.count("With a trial") == 2 and words.count("Without a trial") == 2
    assert "Monetary support" in words and "Safety" in words
    assert HIDDEN in words and "50%" in words and "30%" in words
    assert len(cells(root, "hidden-cell")) == 1 and len(cells(root, "cell")) == 3


def test_a_khmer_title_and_labels_survive_and_fonts_that_render_khmer_are_named():
    title = "អ្នករួចរស់ជីវិតដែលទទួលបានលទ្ធផលដែលខ្លួនចង់បាន"
    root = parse(charts.horizontal_bars("km", title, "ការពិពណ៌នា",
                                        [("ជាមួយការកាត់ក្តី", 0.5)], share=True))
    assert root.find("s:title", NS).text == title
    assert root.find("s:desc", NS).text == "ការពិពណ៌នា"
    assert "ជាមួយការកាត់ក្តី" in texts(root)
    assert "Noto Sans Khmer" in root.get("font-family")


def test_every_chart_is_an_accessible_image_that_scales_to_a_phone_without_inline_style():
    made = [
        charts.horizontal_bars("a", "A", "about a", [("x", 1)]),
        charts.grouped_bars("b", "B", "about b", [("g", [("s", 2), ("t", None)])]),
        charts.line("c", "C", "about c", ["2026Q1", "2026Q2"], [("s", [0.1, 0.2])], share=True),
        charts.funnel("d", "D", "about d", [("Screened", 10), ("Identified", 5)]),
    ]
    for svg in made:
        root = parse(svg)
        assert root.get("role") == "img"
        assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 360 ")
        title_id, desc_id = root.get("aria-labelledby").split()
        assert root.find("s:title", NS).get("id") == title_id
        assert root.find("s:desc", NS).get("id") == desc_id
        # The Content-Security-Policy refuses inline style: presentation attributes only.
        assert all(el.get("style") is None for el in root.iter())
        assert "<style" not in svg


def test_labels_are_escaped_so_a_name_cannot_break_the_page():
    svg = charts.horizontal_bars("x", 'A <b>"title"</b>', "d", [("<script>alert(1)</script>", 1)])
    root = parse(svg)
    assert "<script>" not in svg
    assert "<script>alert(1)</script>" in texts(root)


def test_a_hidden_quarter_breaks_the_line_and_is_marked_not_plotted_at_zero():
    quarters = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    root = parse(charts.line("q", "Over time", "d", quarters,
                             [("With a trial", [0.2, 0.4, None, 0.6])], share=True,
                             hidden_label=HIDDEN))
    points = [g.get("data-value") for g in cells(root, "cell")]
    assert points == ["0.2", "0.4", "0.6"]
    hidden = cells(root, "hidden-cell")
    assert len(hidden) == 1
    assert hidden[0].find("s:title", NS).text == f"2026Q3: {HIDDEN}"
    # Two segments: Q1–Q2 joined, Q4 alone; nothing is drawn through the hidden quarter.
    lines = root.findall(".//s:polyline", NS)
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert HIDDEN in texts(root)  # in the key, in words


def test_a_hidden_funnel_step_is_hatched_and_the_next_step_is_not_given_a_share_of_it():
    root = parse(charts.funnel("f", "Identification", "d",
                               [("Screened", 120), ("Formally identified", None),
                                ("Receiving support", 40)], hidden_label=HIDDEN,
                               of_previous="{share} of the step before"))
    words = texts(root)
    assert HIDDEN in words
    assert "120" in words and "40" in words     # no share of a hidden step is computed
    assert not any("of the step before" in w for w in words)
    assert [g.get("data-value") for g in cells(root, "cell")] == ["120", "40"]


def test_counts_get_a_round_scale_and_days_their_unit():
    root = parse(charts.horizontal_bars("d", "Days", "d", [("median", 37)], suffix=" days"))
    words = texts(root)
    assert "37 days" in words and "50 days" in words and "0 days" in words


def test_quarters_are_recognised_for_the_line():
    assert charts.looks_like_quarters(["2026Q1", "2026Q2"])
    assert not charts.looks_like_quarters(["KH", "TH"])


def test_a_share_of_no_one_is_neither_hidden_nor_zero():
    root = parse(charts.horizontal_bars(
        "n", "Paid in full", "d", [("Court", charts.NO_ONE), ("Mediation", 0.5)], share=True,
        hidden_label=HIDDEN, empty_label="no one to count"))
    assert not cells(root, "hidden-cell")
    empty = cells(root, "empty-cell")
    assert len(empty) == 1 and "".join(empty[0].find("s:text", NS).itertext()) == "no one to count"
    assert [g.get("data-value") for g in cells(root, "cell")] == ["0.5"]
