"""Issue 15's "done when", in a real browser: a funder signs in on a 375 px phone, with the
interface in Khmer, lands on the insights dashboard and sees the share of survivors who got
their first-ranked outcome with and without a trial — as a chart and as a table — for the
two organisations that share with it and for both together; nothing is wider than the phone.
"""

from __future__ import annotations

import re

from northstar.insights import sharing
from tests.browser.test_page_weight import transferred_bytes
from tests.conftest import PASSWORD
from tests.insights.people import member, organisation, survivors

KHMER = re.compile(r"[\u1780-\u17FF]")


def _world():
    funder = organisation("Fund for Survivors", kind="funder")
    ngo_a = organisation("Shelter North", jurisdiction="TH")
    ngo_b = organisation("Legal Aid South", jurisdiction="TH")
    staff_a, staff_b = member(ngo_a, "caseworker"), member(ngo_b, "caseworker")
    survivors(staff_a, 15, trial="yes", delivered=True)
    survivors(staff_a, 15, trial="yes")
    survivors(staff_a, 30, trial="no", delivered=True)
    survivors(staff_a, 12, trial="no")
    survivors(staff_b, 5, trial="yes", delivered=True)   # small: hidden for a funder
    survivors(staff_b, 15, trial="yes")
    survivors(staff_b, 20, trial="no", delivered=True)
    survivors(staff_b, 5, trial="no")
    for org in (ngo_a, ngo_b):
        sharing.set_sharing(member(org, "org_admin"), contributes=True, funder_ids=[funder.pk])
    return member(funder, "funder").user, ngo_a, ngo_b


def test_a_funder_on_a_phone_in_khmer_sees_delivery_with_and_without_a_trial(
        chromium, live_server, db):
    funder_user, ngo_a, ngo_b = _world()
    context = chromium.new_context(base_url=live_server.url, locale="km-KH",
                                   viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": "django_language", "value": "km", "url": live_server.url}])
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        refused = []
        page.on("console", lambda m: refused.append(m.text)
                if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                else None)
        page.goto("/login/")
        page.locator("input[name=username]").fill(funder_user.get_username())
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/insights/")           # a funder lands on the figures
        assert page.locator("html").get_attribute("lang") == "km"
        assert KHMER.search(page.locator("header.top").inner_text())

        for scope in ("total", f"org-{ngo_a.pk}", f"org-{ngo_b.pk}"):
            figure = page.locator(f"figure#own-outcome-delivered-trial-{scope}")
            chart = figure.locator("svg[role=img]")
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] <= 375
            table = figure.locator("table")
            assert table.is_visible()
            # Rows: with a trial, without, undecided (and the total); the outcome columns
            # are named in Khmer.
            assert table.locator("tbody th[scope=row]").count() >= 3
            assert KHMER.search(table.locator("thead").inner_text())
            # Every shown bar is in the table too: the chart is never the only place a
            # figure is.
            assert chart.locator("g.cell").count() >= 1
        captions = " ".join(page.locator("figure.insight caption").all_inner_texts())
        assert "Shelter North" in captions and "Legal Aid South" in captions
        # Org B's small cells are hidden: a hatched bar in the chart, never a zero.
        org_b = page.locator(f"figure#own-outcome-delivered-trial-org-{ngo_b.pk}")
        assert org_b.locator("svg g.hidden-cell").count() >= 1
        # Nothing is wider than the phone: charts scale, tables scroll in their own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        # No record is linked from the figures.
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert not [h for h in hrefs if re.match(r"/(survivors|cases|people)/", h or "")]
        # The charts draw under the Content-Security-Policy (no inline style).
        assert refused == []
        # Within 100 KB on a first visit, as the browser receives it (page, CSS, script).
        weight, _requests = transferred_bytes(chromium, live_server.url, "/insights/",
                                              context.storage_state())
        assert weight <= 100 * 1024, weight
    finally:
        context.close()
