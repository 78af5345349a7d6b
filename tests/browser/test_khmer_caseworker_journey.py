"""Issue 14's "done when": a caseworker on a 375 px phone, working in Khmer, finds a survivor
by a misspelt name, corrects their nationality, re-screens without losing answers, attaches
a document, gives the case to a colleague and closes it — and every page on the way is in
Khmer script and no wider than the phone.

Fields are found by their names (the labels are in Khmer); what the page *says* is checked
for Khmer script, so the test fails if the staff pages fall back to English.
"""

from __future__ import annotations

import re

from northstar.core.roles import Role
from northstar.documents.models import Document
from northstar.screening.models import Screening
from northstar.survivors.models import Case, StatusChange, Survivor
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _khmer_share(page) -> float:
    text = page.evaluate("""(() => {
        const main = document.querySelector('main');
        const clone = main.cloneNode(true);
        clone.querySelectorAll('[lang]:not([lang^="km"]), code, script, style').forEach(e => e.remove());
        return clone.innerText; })()""")
    khmer = len(re.findall(r"[\u1780-\u17FF]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return khmer / max(1, khmer + latin)


def _fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (page.url, width)


def _in_khmer(page, *, at_least: float = 0.6):
    share = _khmer_share(page)
    assert share >= at_least, (page.url, round(share, 2))


def test_a_khmer_speaking_caseworker_works_a_case_on_a_phone(
        chromium, live_server, users, case_a, tmp_path):
    caseworker, colleague = users[("a", Role.CASEWORKER)], users[("a", Role.LEGAL_OFFICER)]
    survivor = case_a.survivor  # "Demo Sokha Testperson", nationality KH
    context = chromium.new_context(base_url=live_server.url, locale="km-KH",
                                   viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": "django_language", "value": "km", "url": live_server.url}])
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.locator("input[name=username]").fill(caseworker.get_username())
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        _fits_the_phone(page)
        _in_khmer(page)

        # Find her by a misspelt name.
        page.goto("/people/search/?q=Sokhar")
        _fits_the_phone(page)
        _in_khmer(page, at_least=0.5)
        page.locator(f"a[href='/survivors/{survivor.pk}/']").first.click()
        page.wait_for_url(f"**/survivors/{survivor.pk}/")
        _fits_the_phone(page)
        _in_khmer(page)

        # Correct her nationality: chosen by name from a list, stored as the ISO code.
        page.goto(f"/survivors/{survivor.pk}/edit/")
        _fits_the_phone(page)
        _in_khmer(page)
        assert "មីយ៉ាន់ម៉ា" in page.locator("select[name=nationality]").inner_text()
        page.locator("select[name=nationality]").select_option("MM")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"**/survivors/{survivor.pk}/")
        assert Survivor.objects.get(pk=survivor.pk).nationality == "MM"

        # Screen, then re-screen: the second form starts from the first answers.
        page.goto(f"/screening/cases/{case_a.pk}/")
        _fits_the_phone(page)
        _in_khmer(page)
        first_choice = page.locator("main form select").first
        name = first_choice.get_attribute("name")
        first_choice.select_option("yes")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert Screening.objects.filter(case=case_a).count() == 1
        page.goto(f"/screening/cases/{case_a.pk}/")
        assert page.locator(f"select[name={name}]").input_value() == "yes"
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        screenings = list(Screening.objects.filter(case=case_a).order_by("created_at", "id"))
        assert len(screenings) == 2
        assert screenings[1].answers.get(name) == screenings[0].answers.get(name)
        assert screenings[1].classification == screenings[0].classification

        # Attach a document from the survivor page's panel.
        scan = tmp_path / "consent.pdf"
        scan.write_bytes(PDF)
        page.goto(f"/survivors/{survivor.pk}/")
        panel_form = page.locator("form[enctype='multipart/form-data']").first
        panel_form.locator("select[name=kind]").select_option(index=1)
        panel_form.locator("input[name=file]").set_input_files(str(scan))
        panel_form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert Document.objects.filter(survivor=survivor).count() == 1
        _fits_the_phone(page)

        # Give the case to a colleague, then close it with a reason.
        page.goto(f"/cases/{case_a.pk}/")
        _fits_the_phone(page)
        _in_khmer(page)
        page.locator("select[name=caseworker]").select_option(str(colleague.pk))
        page.locator(f"form[action='/cases/{case_a.pk}/assign/'] button").click()
        page.wait_for_url(f"**/cases/{case_a.pk}/")
        page.goto(f"/cases/{case_a.pk}/close/")
        _fits_the_phone(page)
        _in_khmer(page)
        page.locator("input[name=reason][value=goals_met]").check()
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"**/cases/{case_a.pk}/")
        case = Case.objects.get(pk=case_a.pk)
        assert case.caseworker == colleague and case.status == "closed"
        assert StatusChange.objects.get(case=case).reason == "goals_met"
    finally:
        context.close()
