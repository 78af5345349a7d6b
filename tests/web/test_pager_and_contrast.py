"""Shared pieces other apps rely on: the pager, and colours that stay readable (WCAG AA)."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.paginator import Paginator
from django.template.loader import render_to_string

CSS = Path(__file__).resolve().parents[2] / "northstar" / "web" / "static" / "web" / "northstar.css"


def test_pager_keeps_filters_but_never_repeats_the_page_number():
    page = Paginator(list(range(100)), 10).get_page(3)
    html = render_to_string("web/_pager.html", {"page": page, "qs": "status=open&page=3"})
    assert 'href="?status=open&amp;page=2"' in html
    assert 'href="?status=open&amp;page=4"' in html
    assert "page=3&amp;" not in html and "Page 3 of 10" in html


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_meet_wcag_aa_contrast_on_their_backgrounds():
    css = CSS.read_text()
    colours = dict(re.findall(r"--([a-z]+):(#[0-9a-fA-F]{3,6})", css))
    pairs = [("ink", "bg"), ("muted", "bg"), ("accent", "bg"), ("warn", "bg"), ("bad", "bg"),
             ("ok", "bg")]
    for fg, bg in pairs:
        assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)
    assert contrast("#ffffff", colours["accent"]) >= 4.5  # button text
    assert contrast(colours["ink"], "#f4f7fd") >= 4.5  # explanation boxes
    assert contrast(colours["ink"], "#fff8e1") >= 4.5  # notices


def test_keyboard_focus_is_always_visible():
    css = CSS.read_text()
    assert re.search(r":focus-visible\{outline:\s*[3-9]px solid", css)
    assert "outline:none" not in css.replace(" ", "") and "outline:0" not in css.replace(" ", "")
