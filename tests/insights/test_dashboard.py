"""The insights pages: each audience sees its figures as charts and tables and nothing else;
every table as CSV; the whole dashboard as a PDF; each page within 100 KB.

The figures are real: survivors, cases, consents, priorities and plan items in two
organisations that share with one funder (``tests/insights/people.py``), counted by
``insights.figures.tables_for``.
"""

from __future__ import annotations

import re
import zlib

from django.db import connection
from django.test import Client

from northstar.core.models import AuditEntry
from northstar.insights import sharing
from northstar.insights.views import sections, shown_tables
from northstar.survivors.models import Survivor
from tests.insights.people import member, organisation, survivors

HIDDEN_11 = "hidden (fewer than 11 people)"
BUDGET = 100 * 1024


def client_of(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def no_record_on(html: str) -> None:
    """Figures only: no survivor's reference, no link to a record page."""
    for reference in Survivor.objects.values_list("reference", flat=True):
        assert reference not in html, reference
    assert not re.search(r'href="/(survivors|cases|people|intake|referrals)/', html)


def test_a_funder_sees_both_organisations_and_their_total_as_charts_and_tables(world):
    response = client_of(world["funder_user"]).get("/insights/")
    assert response.status_code == 200
    html = response.content.decode()
    # The headline: delivered with and without a trial, as a chart and as a table, for
    # each organisation sharing with the funder and for all of them together.
    for scope in ("All organisations shown", "Shelter North", "Legal Aid South"):
        assert f"Own outcome delivered — by trial participation — {scope}</caption>" in html
        assert f">Own outcome delivered — by trial participation — {scope}</title>" in html
    assert html.count("<svg") == html.count("<table")
    assert "With a trial" in html and "Without a trial" in html
    # Org B's small cells are hidden, in words, never a 0%.
    assert HIDDEN_11 in html
    no_record_on(html)


def test_a_funder_chooses_one_organisation_and_sees_every_split_of_it_alone(world):
    client = client_of(world["funder_user"])
    scope = f"org:{world['a'].pk}"
    html = client.get("/insights/", {"scope": scope}).content.decode()
    for split in ("trial participation", "jurisdiction", "sex and age band"):
        assert f"Own outcome delivered — by {split} — Shelter North</caption>" in html
    assert "— Legal Aid South</caption>" not in html
    assert "— All organisations shown</caption>" not in html
    # Without a choice: the total of every split, each organisation beside it in the headline.
    html = client.get("/insights/").content.decode()
    assert "by jurisdiction — All organisations shown</caption>" in html
    assert "by jurisdiction — Shelter North</caption>" not in html
    assert client.get("/insights/", {"scope": "org:999999"}).status_code == 422


def test_the_funders_shares_are_the_figures_with_their_people(world):
    shown = {(s.key, s.table.scope): s for s in shown_tables(world["funder_user"])}
    total = shown[("own_outcome_delivered.trial", "total")]
    rows = dict(total.rows)
    # 50 in a trial, 17 delivered (counts rounded to 5 for a funder; the share is exact).
    assert rows["With a trial"][-1] == ("34% (15 of 50)", "")
    org_b = shown[("own_outcome_delivered.trial", f"org:{world['b'].pk}")]
    assert dict(org_b.rows)["With a trial"][-1] == (HIDDEN_11, "hidden")


def test_a_government_user_sees_the_roll_up_only_and_no_organisation_by_name(world):
    html = client_of(world["government_user"]).get("/insights/").content.decode()
    assert "All organisations shown</caption>" in html
    assert "Shelter North" not in html and "Legal Aid South" not in html
    no_record_on(html)


def test_a_researcher_sees_their_own_organisation_only(world):
    html = client_of(world["researcher_a"]).get("/insights/").content.decode()
    assert "Shelter North</caption>" in html
    assert "Legal Aid South" not in html and "All organisations shown" not in html
    no_record_on(html)


def test_a_caseworker_has_no_insights_page_and_no_nav_entry(world):
    client = client_of(world["caseworker_a"])
    assert client.get("/insights/").status_code == 404
    assert client.get("/insights/report.pdf").status_code == 404
    assert client.get("/insights/report/").status_code == 404
    assert client.post("/insights/report/").status_code == 404
    assert client.get("/insights/tables/own_outcome_delivered.trial.csv").status_code == 404
    assert 'href="/insights/"' not in client.get("/").content.decode()


def test_figures_only_roles_land_on_the_dashboard_with_a_nav_entry(world):
    for who in ("funder_user", "government_user", "researcher_a"):
        client = client_of(world[who])
        landing = client.get("/")
        assert landing.status_code == 302 and landing["Location"] == "/insights/", who
        assert 'href="/insights/" aria-current="page">Insights</a>' in client.get("/insights/").content.decode()


def test_every_section_of_the_funders_dashboard_is_within_100_kb(world):
    client = client_of(world["funder_user"])
    first = client.get("/insights/")
    keys = re.findall(r'href="\?section=([a-z_-]+)"', first.content.decode())
    assert "outcome" in keys and "identification" in keys and len(keys) >= 4
    for key in keys:
        response = client.get("/insights/", {"section": key})
        assert response.status_code == 200
        assert len(response.content) <= BUDGET, (key, len(response.content))


def test_the_period_is_a_quarter_from_the_list_and_anything_else_is_422(world):
    client = client_of(world["funder_user"])
    html = client.get("/insights/").content.decode()
    quarter = re.search(r'<option value="(\d{4}Q[1-4])"', html).group(1)
    assert client.get("/insights/", {"period": quarter}).status_code == 200
    wrong = client.get("/insights/", {"period": "1999Q1"})
    assert wrong.status_code == 422 and b"Choose a quarter from the list." in wrong.content
    assert client.get("/insights/", {"section": "nonsense"}).status_code == 422


def test_each_read_is_audited_as_an_aggregate_read_naming_no_record(world):
    client = client_of(world["funder_user"])
    before = AuditEntry.objects.count()
    client.get("/insights/")
    client.get("/insights/tables/own_outcome_delivered.trial.csv")
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [(e.action, e.record_type) for e in entries] == [
        ("read", "insights_figures"), ("export", "insights_figures")]
    assert all(e.record_ids == [] and e.survivor_ref == "" for e in entries)


def test_a_table_as_csv_names_threshold_and_source_and_leaves_hidden_cells_empty(world):
    response = client_of(world["funder_user"]).get(
        "/insights/tables/own_outcome_delivered.trial.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = response.content
    assert data.startswith("\ufeff".encode())          # Excel then reads UTF-8 (Khmer)
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Measure,Own outcome delivered")
    assert lines[1] == "Threshold,Cells resting on fewer than 11 people are left empty (hidden)."
    assert lines[2].startswith("Source,") and len(lines[2]) > len("Source,") + 10
    header = lines.index(next(line for line in lines if line.startswith("Whose figures")))
    body = [line.split(",") for line in lines[header + 1:]]
    org_b_yes = next(r for r in body if r[0] == "Legal Aid South" and r[1] == "With a trial")
    assert org_b_yes[-2] == ""                           # the hidden total: empty, not 0
    assert org_b_yes[-1].startswith(tuple("123456789")) and "hidden" in org_b_yes[-1]
    total_yes = next(r for r in body if r[0] == "All organisations shown"
                     and r[1] == "With a trial")
    assert total_yes[-2] == "0.34"
    assert {r[0] for r in body} == {"All organisations shown", "Shelter North",
                                    "Legal Aid South"}


def test_an_unknown_table_is_404(world):
    client = client_of(world["funder_user"])
    assert client.get("/insights/tables/no_such_measure.trial.csv").status_code == 404


def _pdf_text(data: bytes) -> bytes:
    """The PDF's streams, inflated: the outline (bookmarks) holds each heading's words."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end():]))
        except zlib.error:
            continue
    return b"\n".join(out)


def _report(client, period: str = "") -> tuple:
    """The report as the dashboard's "Prepare the report" button makes it: a job, run here
    as the inline runner runs it, then its download."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from northstar.core import jobs
    from northstar.core.models import Job

    posted = client.post("/insights/report/", {"period": period})
    assert posted.status_code == 302, posted.content
    job = Job.objects.get(pk=int(posted["Location"].rstrip("/").rsplit("/", 1)[1]))
    with CaptureQueriesContext(connection) as ctx:
        done = jobs.run(job.pk)
    assert done.status == "done", done.message
    queries = ctx.captured_queries  # before the next request (it empties the queries' log)
    return client.get(reverse("jobs:download", args=[job.pk])), queries


def test_the_dashboard_as_pdf_holds_every_measure_title(world):
    response, _queries = _report(client_of(world["funder_user"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content).upper()
    for title in ("Own outcome delivered", "Identification funnel", "Compensation"):
        # An outline entry is a literal string, or UTF-16 in hex where it holds an em dash.
        assert title.upper().encode() in text or \
            title.encode("utf-16-be").hex().upper().encode() in text, title
    assert AuditEntry.objects.filter(action="export", record_type="insights_figures").exists()


def test_the_pdf_is_in_the_readers_language(world):
    client = client_of(world["funder_user"])
    client.cookies["django_language"] = "km"
    response, _queries = _report(client)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-km.pdf"') or \
        "-km.pdf" in response["Content-Disposition"]
    assert b"/Lang (km)" in _pdf_text(response.content)


def test_a_measure_of_an_unknown_section_gets_a_section_of_its_own():
    from northstar.core.tables import Table
    from northstar.insights.views import Shown

    def shown(key):
        return Shown(table=Table(key, ("a",), ("b",), {("a", "b"): 1}), scope="", name=key)

    grouped = sections([shown("compensation.received"), shown("consultations_held.kind"),
                        shown("own_outcome_delivered.trial")])
    assert [s["key"] for s in grouped] == ["outcome", "compensation",
                                           "other-consultations_held"]
    assert grouped[-1]["heading"] == "Consultations held"


def test_a_dashboard_full_of_small_hidden_cells_stays_within_100_kb(db):
    """The heaviest page is one of many small cells, each drawn hidden with its words: one
    survivor in every sex × age band × trial cell of two organisations."""
    funder = organisation("Fund for Survivors", kind="funder")
    for name in ("Shelter North", "Legal Aid South"):
        org = organisation(name, jurisdiction="TH")
        staff = member(org, "caseworker")
        for sex in ("female", "male", "intersex", "unknown"):
            for born in (2012, 2004, 1996, 1985, 1970, None):
                for trial in ("yes", "no", "undecided"):
                    survivors(staff, 1, trial=trial, sex=sex, birth_year=born,
                              delivered=born is not None and born % 2 == 0)
        sharing.set_sharing(member(org, "org_admin"), contributes=True, funder_ids=[funder.pk])
    client = client_of(member(funder, "funder"))
    first = client.get("/insights/").content.decode()
    assert first.count('class="hidden-cell"') >= 20
    scopes = sorted(set(re.findall(r"scope=(org%3A\d+)", first)))
    assert len(scopes) == 2
    for key in re.findall(r'href="\?section=([a-z_-]+)"', first):
        for scope in ("", *scopes):
            response = client.get(f"/insights/?section={key}&scope={scope}")
            assert response.status_code == 200
            assert len(response.content) <= BUDGET, (key, scope, len(response.content))


def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(world):
    world["a"].name = "=HYPERLINK(\"http://example.org\")"
    world["a"].save()
    data = client_of(world["funder_user"]).get(
        "/insights/tables/own_outcome_delivered.trial.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    assert not re.search(r"(^|,)\"?=HYPERLINK", data, re.M)


def _statements(client, url: str) -> tuple[list[str], list[str]]:
    """The ``CREATE TEMPORARY TABLE`` statements and the counting statements reading it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    made = [q["sql"] for q in ctx.captured_queries if "CREATE TEMPORARY TABLE" in q["sql"]]
    readers = [q["sql"] for q in ctx.captured_queries
               if "insights_counted_" in q["sql"] and q["sql"].lstrip().startswith("WITH")]
    return made, readers


def test_the_researchers_report_computes_the_consent_gated_set_once(world):
    """Every insights measure of the whole dashboard (the PDF) reads the organisation's
    consent-gated cases from one temporary table (``counting.counted_once``): the six
    measures of insights/counting.py do not each join the consents again."""
    from northstar.survivors.models import Consent

    _response, queries = _report(client_of(world["researcher_a"]))
    made = [q["sql"] for q in queries if "CREATE TEMPORARY TABLE" in q["sql"]]
    readers = [q["sql"] for q in queries
               if "insights_counted_" in q["sql"] and q["sql"].lstrip().startswith("WITH")]
    assert len(made) == 1 and Consent._meta.db_table in made[0]
    assert len(readers) >= 6, len(readers)


def test_a_section_of_two_measures_computes_the_gated_set_once_for_both(world):
    made, readers = _statements(client_of(world["researcher_a"]),
                                "/insights/?section=identification")
    assert len(made) == 1
    assert len(readers) == 2, readers  # the funnel and the time to first support


def _counting_queries(client, url: str) -> tuple[int, set[str]]:
    """How many queries a page makes, and which measures' statements ran (by the tables
    only they read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    marks = {"own_outcome_delivered": "pathways_priorities",
             "identification_funnel": "screening_screening",
             "compensation": "compensation_payment",
             "do_no_harm": "safeguards_finding",
             "outcomes.wellbeing": "who5_score"}
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    ran = {key for key, mark in marks.items()
           if any(mark in q["sql"] for q in ctx.captured_queries)}
    # Transaction control and PostgreSQL's per-statement work_mem are not counted: the
    # same number on both databases.
    queries = [q["sql"] for q in ctx.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
               and not q["sql"].startswith("SELECT set_config")]  # not the audit INSERT's own
    return len(queries), ran


def test_a_tables_csv_counts_only_its_own_measure(world):
    """The CSV of one table counts that table's measure, not the whole dashboard: here
    was 71 queries (every measure of measures.toml, for both organisations), now 15."""
    client = client_of(world["funder_user"])
    queries, ran = _counting_queries(client, "/insights/tables/own_outcome_delivered.trial.csv")
    assert ran == {"own_outcome_delivered"}
    # Session, user, membership with its organisation (one query since h-pages2), the
    # funder's organisations (2), the stored counts (2), one statement per organisation (2),
    # the audit entry: one statement that moves the chain's head and inserts the entry on
    # PostgreSQL, two on SQLite (read the head, insert); on PostgreSQL the figures' plan
    # mode set and reset around the read (``core.db.reading_figures``, h-plans).
    assert queries == (10 if connection.vendor == "postgresql" else 9), queries
    _queries, ran = _counting_queries(client, "/insights/tables/compensation.received.csv")
    assert ran == {"compensation"}


def test_the_dashboard_counts_only_the_section_it_shows(world):
    """The page shows one section (the others are links): only its measures are counted,
    and every section's link is there as before."""
    client = client_of(world["researcher_a"])
    _queries, ran = _counting_queries(client, "/insights/")
    assert ran == {"own_outcome_delivered"}
    _queries, ran = _counting_queries(client, "/insights/?section=do_no_harm")
    assert ran == {"do_no_harm"}
    html = client.get("/insights/?section=compensation").content.decode()
    links = re.findall(r'href="\?section=([a-z_-]+)"', html)
    everything = sections(shown_tables(world["researcher_a"], with_charts=False))
    assert links == [s["key"] for s in everything]
    assert len(links) >= 7


def test_the_sections_known_without_counting_are_those_of_all_the_tables(world):
    """``measure_sections`` (from measures.toml) names the sections, in order, with their
    headings, that grouping every counted table gives, for each audience."""
    from northstar.insights.views import measure_sections

    for who in ("researcher_a", "funder_user", "government_user"):
        everything = sections(shown_tables(world[who], with_charts=False))
        assert [(s["key"], str(s["heading"])) for s in everything] == \
            [(s["key"], str(s["heading"])) for s in measure_sections()], who
        for section in everything:
            keys = {t.key.rsplit(".", 1)[0] for t in section["tables"]}
            wanted = next(s["measures"] for s in measure_sections()
                          if s["key"] == section["key"])
            assert keys == set(wanted), section["key"]
