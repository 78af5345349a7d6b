"""Headers, redirects and defaults (issue 12, section 6): a Content-Security-Policy of the
site's own origin with no inline script, a Permissions-Policy, no-store on every API answer
and PDF, ``next=`` only to this site, and DEBUG only when asked for."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from northstar.compensation.models import SavedCalculation
from northstar.safeguards import actions as safeguard_actions
from tests.compensation.test_pages import FORM
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_csp_of_our_own_origin_with_no_inline_script(caseworker, survivor_a):
    for path in ("/login/", "/", f"/survivors/{survivor_a.pk}/", "/portal/"):
        client = Client() if path in ("/login/", "/portal/") else logged_in(caseworker)
        policy = csp_of(client.get(path))
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert not any("unsafe" in v for values in policy.values() for v in values), path


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
     "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "inline style attribute"),
    (re.compile(r"<style[\s>]", re.I), "inline <style>"),
]


#: Rendered only into PDFs by WeasyPrint, never served to a browser: their <style> is fine.
PRINT_ONLY = {"referrals/templates/referrals/letter.html",
              "compensation/templates/compensation/statement_print.html",
              "documents/templates/documents/case_summary.html",
              "insights/templates/insights/report.html"}


def test_no_template_has_inline_script_or_style_the_csp_would_block():
    problems = []
    for template in (ROOT / "northstar").rglob("templates/**/*.html"):
        if template.relative_to(ROOT / "northstar").as_posix() in PRINT_ONLY:
            continue
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            if pattern.search(text):
                problems.append(f"{template.relative_to(ROOT)}: {what}")
    assert problems == []


def test_the_api_docs_are_served_from_this_site_not_a_cdn(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_every_answer_has_a_permissions_policy(caseworker):
    for response in (Client().get("/login/"), logged_in(caseworker).get("/"),
                     Client().get("/api/v1/health")):
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_every_api_answer_is_no_store(api, caseworker, survivor_a):
    for response in (api(caseworker).get(f"/api/v1/survivors/{survivor_a.pk}"),
                     api(caseworker).get("/api/v1/me"), api().get("/api/v1/health"),
                     api().get("/api/v1/survivors")):
        assert response["Cache-Control"] == "no-store"


def test_a_pdf_with_personal_data_is_no_store(caseworker, case_a):
    client = logged_in(caseworker)
    client.post(reverse("compensation:calculator", args=[case_a.pk]),
                dict(FORM, save="1", label="Six months at sea"))
    pdf = client.get(reverse("compensation:calculation_pdf",
                             args=[SavedCalculation.objects.get().pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "no-store"


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/",
                                    "http://testserver.evil.example/"])
def test_resolving_a_finding_never_redirects_to_another_site(case_a, caseworker, actor_for,
                                                             target):
    (finding,) = safeguard_actions.record_findings(
        actor_for(caseworker), case_a, action="interview",
        context={"interpreter_present": True, "previous_interviews": 3}, source="timeline:1")
    response = logged_in(caseworker).post(
        reverse("safeguards:resolve", args=[finding.pk]),
        {"status": "resolved", "justification": "Used the earlier statement.", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_resolving_a_finding_still_goes_back_to_a_page_of_ours(case_a, caseworker, actor_for):
    (finding,) = safeguard_actions.record_findings(
        actor_for(caseworker), case_a, action="interview",
        context={"interpreter_present": True, "previous_interviews": 3}, source="timeline:1")
    response = logged_in(caseworker).post(
        reverse("safeguards:resolve", args=[finding.pk]),
        {"status": "resolved", "justification": "Used the earlier statement.",
         "next": f"/cases/{case_a.pk}/"})
    assert response["Location"] == f"/cases/{case_a.pk}/"


def test_the_log_in_page_never_redirects_to_another_site(caseworker):
    response = Client().post("/login/?next=https://evil.example/", {
        "username": caseworker.username, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def _debug_with(tmp_path, **extra) -> str:
    env = {"PATH": os.environ.get("PATH", ""), "NORTHSTAR_VAR_DIR": str(tmp_path), **extra}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_missing_northstar_env_does_not_mean_debug(tmp_path):
    assert _debug_with(tmp_path) == "False"
    assert _debug_with(tmp_path, NORTHSTAR_DEBUG="1") == "True"


def test_make_run_asks_for_debug_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"NORTHSTAR_DEBUG=1 \$\(BIN\)/python manage.py runserver", makefile)
