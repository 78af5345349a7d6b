"""The newest staff pages on a 375 px phone, in Khmer (issue 13, h-phone).

The honoraria, councils and activity pages of engagement, the audit log and an entry, the
insights report and a report's job page, the justice tasks, the referrals list, the case page
and the caseload, each with several rows of long Khmer text and a second page. On each:

- the page never scrolls sideways (``scrollWidth`` of the document at most 375 px);
- the main content is on the screen;
- its primary action (the form's button, the pager's link) lies within the screen and is a
  tap target at least 44 px tall and wide (WCAG 2.5.5, as the portal's buttons),
  and no two tap targets lie closer than 8 px;
- a form's label is above or beside its own field, never at the end of one line with its
  field at the start of the next;
- the cells of a table are wide enough to read a word (a table wider than the phone scrolls
  in its own box instead of being crushed to a letter a line);
- a known heading is in Khmer script and Chromium drew it with a Khmer font (asked through
  the DevTools protocol, ``CSS.getPlatformFontsForNode``: a missing font is tofu boxes).

With ``NORTHSTAR_PHONE_SHOTS=/some/dir`` every page is also photographed in Khmer and English
at 375 and 1280 px (``<page>-<lang>-<width>.png``), to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from northstar.core import views as core_views
from northstar.core.models import AuditEntry, Job
from northstar.core.roles import Role
from northstar.engagement import actions as engagement
from northstar.engagement import views as engagement_views
from northstar.engagement.models import ActivityKind
from northstar.insights import report as insights_report
from northstar.justice import tasks as case_tasks
from northstar.justice import views as justice_views
from northstar.referrals import actions as referrals
from northstar.survivors import actions as survivors
from northstar.web import views as web_views
from tests.conftest import PASSWORD

PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1280, "height": 900}
TAP = 44  # px, the least height and width of a tap target
SHOTS = os.environ.get("NORTHSTAR_PHONE_SHOTS", "")

#: Long Khmer words without spaces, as names and titles are written: the hardest to fit.
KHMER_NAMES = [("សុខសុភាពចន្ទរស្មី", "ចាន់ធីតាវង្សសុវណ្ណ"), ("ស្រីពៅមុន្នីរ័ត្ន", "គឹមសុវណ្ណារ៉ា"),
               ("វិច្ឆិកាបុប្ផាចាន់", "ហេងសម្បត្តិរតនា"), ("ច័ន្ទបញ្ញាសុជាតា", "លីម៉េងហួរ")]
COUNCIL = "ក្រុមប្រឹក្សាប្រឹក្សាយោបល់របស់អ្នករួចផុតពីការជួញដូរមនុស្សខេត្តបាត់ដំបង"
ACTIVITY = "កិច្ចប្រជុំពិគ្រោះយោបល់អំពីសេវាកម្មគាំទ្រផ្លូវចិត្តសង្គមសម្រាប់អ្នករួចផុត"
TASKS = ["ទូរស័ព្ទទៅស្ថានទូតដើម្បីសុំលិខិតឆ្លងដែនបណ្ដោះអាសន្នសម្រាប់នាង",
         "រៀបចំឯកសារតវ៉ាសំណងពីនិយោជកនៅតុលាការខេត្តសមុទ្រសាគរ",
         "ពិនិត្យឡើងវិញនូវផែនការសុវត្ថិភាពមុនពេលសវនាការលើកទីពីរ"]


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture
def khmer_phone(chromium, live_server):
    """``khmer_phone(user)``: a 375 px tab in Khmer, signed in as ``user``."""
    contexts = []

    def open_as(user):
        context = chromium.new_context(base_url=live_server.url, locale="km-KH",
                                       viewport=PHONE)
        context.add_cookies([{"name": "django_language", "value": "km",
                              "url": live_server.url}])
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.goto("/login/")
        tab.locator("input[name=username]").fill(user.get_username())
        tab.locator("input[name=password]").fill(PASSWORD)
        tab.locator("main form button[type=submit]").click()
        tab.wait_for_url(lambda url: "/login/" not in url)
        return tab

    yield open_as
    for context in contexts:
        context.close()


def _photograph(tab, url: str, name: str) -> None:
    """Khmer and English, 375 and 1280 px, into ``NORTHSTAR_PHONE_SHOTS``; back to Khmer."""
    origin = re.match(r"https?://[^/]+", tab.url).group(0)
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for language in ("km", "en"):
        tab.context.add_cookies([{"name": "django_language", "value": language,
                                  "url": origin}])
        for size in (PHONE, WIDE):
            tab.set_viewport_size(size)
            tab.goto(url)
            tab.screenshot(path=str(folder / f"{name}-{language}-{size['width']}.png"),
                           full_page=True)
    tab.context.add_cookies([{"name": "django_language", "value": "km", "url": origin}])
    tab.set_viewport_size(PHONE)


def _fonts_of(tab, selector: str) -> dict[str, int]:
    """The platform fonts Chromium drew ``selector``'s text with, and how many glyphs each."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in fonts}
    finally:
        cdp.detach()


def _box(tab, selector: str) -> dict | None:
    return tab.evaluate("""(sel) => { const e = document.querySelector(sel);
        if (!e) return null; const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, width: r.width, height: r.height}; }""", selector)


def _crushed_cells(tab) -> list[str]:
    """Table cells of ``main`` narrower than a short word (48 px) while holding text longer
    than that: a column squeezed to a letter or two a line."""
    return tab.evaluate("""() => [...document.querySelectorAll('main td, main th')]
        .filter(c => c.innerText.trim().length > 6 && c.getBoundingClientRect().width < 48)
        .map(c => c.innerText.trim().slice(0, 20))""")


def _labels_astray(tab) -> list[str]:
    """Labels of ``main`` whose field starts on a later line but left of the label: the
    label ends one line and its field begins the next, under another field's label."""
    return tab.evaluate("""() => [...document.querySelectorAll('main label[for]')].filter(l => {
        const f = document.getElementById(l.htmlFor); if (!f) return false;
        const a = l.getBoundingClientRect(), b = f.getBoundingClientRect();
        return b.top >= a.bottom - 2 && b.left < a.left - 8; }).map(l => l.htmlFor)""")


def _crowded(tab) -> list[str]:
    """Pairs of tap targets in ``main`` (buttons, button links, pager links) closer than
    8 px to each other, side by side or one above the other: a thumb meant for one presses
    the other (the activity page's "Do No Harm check" sat 4 px above "They stop taking
    part")."""
    return tab.evaluate("""() => {
        const els = [...document.querySelectorAll('main button, main .button, main .pager a')]
            .filter(e => e.offsetParent !== null);
        const boxes = els.map(e => e.getBoundingClientRect()), near = [];
        for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
            const a = boxes[i], b = boxes[j];
            const across = Math.max(a.left, b.left) < Math.min(a.right, b.right);
            const level = Math.max(a.top, b.top) < Math.min(a.bottom, b.bottom);
            const dy = Math.max(a.top, b.top) - Math.min(a.bottom, b.bottom);
            const dx = Math.max(a.left, b.left) - Math.min(a.right, b.right);
            if ((across && dy < 8) || (level && dx < 8))
                near.push(els[i].innerText.trim() + ' / ' + els[j].innerText.trim());
        }
        return near; }""")


def check(tab, url: str, *, name: str, heading: str, actions: tuple[str, ...]) -> dict:
    """What is wrong with ``url`` on the phone, by check (empty when nothing is)."""
    response = tab.goto(url)
    assert response.status == 200, (url, response.status)
    if SHOTS:
        _photograph(tab, url, name)
        tab.goto(url)
    wrong: dict = {}
    width = tab.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wrong["page wider than the phone"] = width
    main = _box(tab, "main")
    if not main or main["left"] < 0 or main["right"] > PHONE["width"] + 0.5 or \
            not tab.locator("main").is_visible():
        wrong["main off the screen"] = main
    for selector in actions:
        box = _box(tab, selector)
        if box is None:
            wrong[f"no {selector}"] = None
        elif box["left"] < 0 or box["right"] > PHONE["width"] + 0.5:
            wrong[f"{selector} off the screen"] = box
        elif box["height"] < TAP or box["width"] < TAP:
            wrong[f"{selector} under {TAP} px"] = (round(box["width"]), round(box["height"]))
    crowded = _crowded(tab)
    if crowded:
        wrong["tap targets under 8 px apart"] = crowded[:4]
    astray = _labels_astray(tab)
    if astray:
        wrong["labels away from their fields"] = astray
    crushed = _crushed_cells(tab)
    if crushed:
        wrong["table cells crushed"] = crushed[:5]
    text = tab.locator(heading).first.inner_text()
    if not re.search(r"[\u1780-\u17FF]", text):
        wrong[f"{heading} not in Khmer"] = text
    else:
        fonts = _fonts_of(tab, heading)
        if not any("Khmer" in family and n for family, n in fonts.items()):
            wrong[f"{heading} drawn without a Khmer font"] = fonts
    return {f"{name}: {k}": v for k, v in wrong.items()}


def _listed(wrong: dict) -> str:
    return "\n" + "\n".join(f"{k}: {v}" for k, v in wrong.items())


# --- The data: long Khmer names, three rows and more, a second page --------------------------


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two rows (three on the audit log), so a few rows make a second page."""
    monkeypatch.setattr(engagement_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(core_views, "AUDIT_PAGE_SIZE", 3)
    monkeypatch.setattr(justice_views, "MINE_PER_PAGE", 2)
    monkeypatch.setattr(web_views, "CASELOAD_PAGE", 2)


@pytest.fixture
def khmer_people(caseworker, actor_for, case_a):
    """Four survivors of organisation A with long Khmer names, each with an open case and an
    engagement consent; case A's survivor too."""
    staff = actor_for(caseworker)
    found = [case_a.survivor]
    for given, family in KHMER_NAMES:
        person = survivors.create_survivor(staff, data={
            "given_name": given, "family_name": family, "nationality": "KH",
            "languages": ["km"], "date_of_birth": "1996-03-09", "sex": "female"})
        survivors.create_case(staff, person, data={"forms_of_exploitation": ["labour"],
                                                   "sectors": ["fishing"]})
        found.append(person)
    for person in found:
        survivors.record_consent(staff, person, purpose="engagement", language="km",
                                 method="verbal")
    return found


def test_the_engagement_pages_fit_a_khmer_phone(khmer_phone, users, actor_for, khmer_people,
                                                small_pages):
    admin = users[("a", Role.ORG_ADMIN)]  # sees the rate form as well as the payment form
    coord = actor_for(admin)
    council = engagement.create_council(coord, name=COUNCIL,
                                        kind=ActivityKind.ADVISORY_COUNCIL)
    for k, person in enumerate(khmer_people[:3]):
        engagement.add_council_member(coord, council, survivor=person,
                                      term_start=dt.date(2026, 1, 1) + dt.timedelta(days=k))
        engagement.record_payment(coord, person, amount="12500.75", currency="KHR",
                                  method="cash", on=dt.date(2026, 11, 1))
    activity = engagement.create_activity(
        coord, kind="advisory_council", title=ACTIVITY, hours="3",
        starts_at=timezone.now() + dt.timedelta(days=9), offender_may_be_present=False)
    for person, (given, _family) in zip(khmer_people[1:], KHMER_NAMES[:3], strict=False):
        engagement.invite(coord, activity, survivor=person, pseudonym=given)

    tab = khmer_phone(admin)
    wrong = {}
    wrong |= check(tab, "/engagement/honoraria/", name="honoraria", heading="main h1",
                   actions=("#payment-form button[type=submit]",
                            "#rate-form button[type=submit]", "nav.pager a[rel=next]"))
    wrong |= check(tab, "/engagement/councils/", name="councils", heading="main h1",
                   actions=("form.add-member button[type=submit]",
                            "#council-form button[type=submit]", "nav.pager a[rel=next]"))
    wrong |= check(tab, f"/engagement/activities/{activity.pk}/", name="activity",
                   heading="#invite-form label",
                   actions=("#invite-form button[type=submit]", "nav.pager a[rel=next]"))
    assert not wrong, _listed(wrong)

    # "Add a member": the typed reference brings suggestions into its datalist (htmx).
    tab.goto("/engagement/councils/")
    # Suggestions start at two characters after the hyphen (h-smallreads: never a scan).
    outside = khmer_people[-1].reference  # not yet a member of the council
    typed = outside[: outside.index("-") + 3]
    tab.locator(f"#m-{council.pk}").press_sequentially(typed, delay=20)
    expect(tab.locator(f"#m-{council.pk}-found option")).not_to_have_count(0)


def test_the_audit_and_insights_pages_fit_a_khmer_phone(khmer_phone, supervisor, khmer_people,
                                                        small_pages):
    entry = AuditEntry.objects.exclude(record_ids=[]).order_by("-pk").first() or \
        AuditEntry.objects.order_by("-pk").first()
    Job.objects.create(kind=insights_report.REPORT_JOB, owner=supervisor,
                       organisation=entry.organisation, status=Job.Status.DONE, done=3, total=3,
                       params={"period": "2026-Q3"}, result_name="insights-2026-Q3-km.pdf")
    job = Job.objects.create(kind=insights_report.REPORT_JOB, owner=supervisor,
                             organisation=entry.organisation, status=Job.Status.RUNNING,
                             done=1, total=3, message=insights_report.READING,
                             params={"period": ""})

    tab = khmer_phone(supervisor)
    wrong = {}
    wrong |= check(tab, "/audit/", name="audit", heading="main h1",
                   actions=("main form.filters button[type=submit]", "nav.pager a[rel=next]"))
    wrong |= check(tab, f"/audit/{entry.pk}/", name="audit-entry", heading="main h1",
                   actions=())
    wrong |= check(tab, "/insights/report/", name="insights-report", heading="main h1",
                   actions=("main form button[type=submit]",))
    wrong |= check(tab, f"/jobs/{job.pk}/", name="report-job", heading="#job p",
                   actions=(f"#job a[href='/jobs/{job.pk}/']",))
    assert not wrong, _listed(wrong)


def test_the_casework_pages_fit_a_khmer_phone(khmer_phone, caseworker, actor_for, case_a,
                                              org_b, khmer_people, small_pages):
    staff = actor_for(caseworker)
    for k, title in enumerate(TASKS):
        case_tasks.add_task(staff, case_a, title=title, assignee=caseworker,
                            due_on=timezone.localdate() + dt.timedelta(days=k - 1))
    for person in khmer_people[:3]:
        survivors.record_consent(staff, person, purpose="referral", recipient=org_b,
                                 language="km", method="written", interpreter_used=True)
        referrals.create_referral(staff, survivor=person, recipient=org_b, urgency="urgent",
                                  needs=["legal_aid", "shelter", "medical", "mental_health"],
                                  shared_fields=["given_name", "phone"])

    tab = khmer_phone(caseworker)
    wrong = {}
    wrong |= check(tab, "/justice/tasks/", name="justice-tasks", heading="main h1",
                   actions=("#my-set-tasks button[type=submit]", "nav.pager a[rel=next]"))
    wrong |= check(tab, "/referrals/", name="referrals", heading="main h1",
                   actions=("nav.filters a[href='?direction=sent']",))
    wrong |= check(tab, f"/cases/{case_a.pk}/", name="case", heading="#tasks-h",
                   actions=(f"form[action='/cases/{case_a.pk}/assign/'] button",
                            "nav.casenav a"))
    wrong |= check(tab, "/", name="caseload", heading="main h1",
                   actions=("main p.actions a.button", "form[action='/people/search/'] button", "nav.pager a[rel=next]"))
    assert not wrong, _listed(wrong)


# --- What the first look left (issue 13, h-phone2) -------------------------------------------


def test_the_main_navigation_is_one_menu_on_a_khmer_phone(khmer_phone, chromium, live_server,
                                                          users):
    """At 375 px the header is one short band with a "Menu" control (a ``<details>``, no
    JavaScript): opened, every link is a 44 px tap target on the screen, and each one goes
    where it says and is then marked ``aria-current``; at 1280 px the links show as ever."""
    admin = users[("a", Role.ORG_ADMIN)]  # the most links of any role
    tab = khmer_phone(admin)
    tab.goto("/")
    if SHOTS:
        tab.screenshot(path=str(Path(SHOTS) / "menu-closed-km-375.png"))
    header = _box(tab, "header.top")
    assert header["height"] < 120, header
    menu = tab.locator("header details.menu")
    assert not tab.locator("header nav a").first.is_visible()
    tab.locator("header details.menu > summary").focus()  # a keyboard reaches it …
    tab.keyboard.press("Enter")  # … and opens it
    expect(menu).to_have_attribute("open", "")
    if SHOTS:
        tab.screenshot(path=str(Path(SHOTS) / "menu-open-km-375.png"), full_page=True)
    links = tab.evaluate("""() => [...document.querySelectorAll('header nav a')].map(a => {
        const r = a.getBoundingClientRect();
        return {href: a.getAttribute('href'), text: a.innerText.trim(), visible:
                a.checkVisibility(), left: r.left, right: r.right, height: r.height}; })""")
    assert len(links) >= 8, links
    wrong = [a for a in links if not a["visible"] or a["height"] < TAP or a["left"] < 0
             or a["right"] > PHONE["width"] + 0.5 or not re.search(r"[\u1780-\u17FF]", a["text"])]
    assert not wrong, wrong
    for link in links:  # each from the page the one before it led to
        if menu.get_attribute("open") is None:
            tab.locator("header details.menu > summary").click()
        expect(menu).to_have_attribute("open", "")
        with tab.expect_navigation() as went:
            tab.locator(f"header nav a[href='{link['href']}']").click()
        assert went.value.status == 200, link
        here = tab.url.removeprefix(live_server.url)
        # The caseload sends an administrator, who has none, to the organisation's page.
        assert here == link["href"] or went.value.request.redirected_from is not None, link
        assert tab.locator("header nav a[aria-current=page]").get_attribute("href") == here
        assert tab.locator("header nav a[aria-current]").count() == 1

    wide = chromium.new_context(base_url=live_server.url, viewport=WIDE)
    try:
        tab = wide.new_page()
        tab.goto("/login/")
        tab.locator("input[name=username]").fill(admin.get_username())
        tab.locator("input[name=password]").fill(PASSWORD)
        tab.locator("main form button[type=submit]").click()
        tab.wait_for_url(lambda url: "/login/" not in url)
        assert not tab.locator("header details.menu > summary").is_visible()
        shown = tab.evaluate("""() => [...document.querySelectorAll('header nav a')]
            .map(a => a.checkVisibility())""")
        assert len(shown) == len(links) and all(shown)
        if SHOTS:
            tab.screenshot(path=str(Path(SHOTS) / "menu-en-1280.png"))
    finally:
        wide.close()


def _still_due_off_screen(tab, heading: str) -> list:
    """The right edges of the honoraria table's "Still due" cells past the screen's edge."""
    return tab.evaluate("""(heading) => {
        const table = document.getElementById('honoraria-due');
        const ths = [...table.querySelectorAll('thead th')];
        const at = ths.findIndex(th => th.innerText.trim() === heading);
        if (at < 0) return ['no column ' + heading];
        return [...table.querySelectorAll('tbody tr')].map(tr => tr.cells[at])
            .map(td => td.getBoundingClientRect().right)
            .filter(right => right > window.innerWidth); }""", heading)


def _broken_across_lines(tab) -> list[str]:
    """Dates (``2026-12-07``, ``2026-12-07 12:22``) in ``main``'s tables and tags
    (``.tag``) drawn on more than one line: a date broken at its hyphens, a tag's word
    wrapping inside its border."""
    return tab.evaluate(r"""() => {
        const broken = [], pattern = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?/g;
        const cells = document.createTreeWalker(document.querySelector('main'),
                                                NodeFilter.SHOW_TEXT);
        for (let node; (node = cells.nextNode());) {
            if (!node.parentElement.closest('td, th')) continue;
            for (const m of node.data.matchAll(pattern)) {
                const range = document.createRange();
                range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(m[0]);
            }
        }
        for (const tag of document.querySelectorAll('main .tag')) {
            const tops = new Set([...tag.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(tag.innerText.trim());
        }
        return broken; }""")


def test_still_due_is_on_the_screen_of_a_khmer_phone(khmer_phone, users, actor_for,
                                                     khmer_people, small_pages):
    """The honoraria table's "Still due" (what a coordinator opens it for) is on the screen
    without scrolling the table sideways."""
    from django.utils import translation

    admin = users[("a", Role.ORG_ADMIN)]
    coord = actor_for(admin)
    for k, person in enumerate(khmer_people[:3]):
        engagement.record_payment(coord, person, amount="12500.75", currency="KHR",
                                  method="cash", on=dt.date(2026, 11, 1) + dt.timedelta(days=k))
    with translation.override("km"):
        still_due = translation.gettext("Still due")

    tab = khmer_phone(admin)
    tab.goto("/engagement/honoraria/")
    if SHOTS:
        tab.screenshot(path=str(Path(SHOTS) / "honoraria-still-due-km-375.png"), full_page=True)
    assert tab.locator("#honoraria-due tbody tr").count() >= 1
    assert _still_due_off_screen(tab, still_due) == []


def test_dates_and_tags_are_whole_on_a_khmer_phone(khmer_phone, caseworker, supervisor,
                                                   actor_for, case_a, khmer_people):
    """Dates in tables are one line, not broken at their hyphens (the audit log's times,
    the tasks' due dates), and the Khmer "overdue" tag stays inside its border."""
    staff = actor_for(caseworker)
    for k, title in enumerate(TASKS):
        case_tasks.add_task(staff, case_a, title=title, assignee=caseworker,
                            due_on=timezone.localdate() - dt.timedelta(days=k + 1))
    wrong = {}
    for user, url in ((caseworker, "/justice/tasks/"), (supervisor, "/audit/")):
        tab = khmer_phone(user)
        tab.goto(url)
        if SHOTS:
            tab.screenshot(path=str(Path(SHOTS) / f"whole-{url.strip('/').replace('/', '-')}"
                                                 f"-km-375.png"), full_page=True)
        assert tab.locator("main td").count() > 0, url
        broken = _broken_across_lines(tab)
        if broken:
            wrong[url] = broken
    assert not wrong, wrong
