"""The case and survivor pages, made cheaper (issue 13), write the same HTML as before.

- Form widgets are written in Python (``northstar.core.widgets.WidgetRenderer``): each page
  rendered with it and with Django's own template renderer is the same HTML, apart from the
  CSRF tokens (a new one per rendering);
- the survivor page reads its own organisation's survivor's documents by a query written
  once (no referral subquery): the same documents as ``visible_documents`` gives, a
  document of an archived case left out;
- the actor's membership and organisation are read in one query;
- ``{% url %}`` and ``{% translate %}`` kept per shape and language
  (``core.template_tags``) and the navigation's links written once per language and
  ``may`` (``nav_links``): the same HTML as Django's own tags and a fresh navigation, for
  the organisation's caseworker and supervisor and a partner who accepted a referral, in
  English and Khmer;
- the session, the survivor page's unfinished intake and the fund's disbursements to the
  survivor are read by SQL written once per process (``core.sessions``,
  ``web.selectors.open_intake_of_survivor``, ``compensation.fund.disbursements_to``): the
  same rows as the querysets they replace, nothing compiled on the next request.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from importlib import import_module

from django.conf import settings
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import override_settings
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from northstar.compensation import fund
from northstar.core.actor import Actor
from northstar.documents import actions as document_actions
from northstar.documents import selectors as document_selectors
from northstar.referrals import actions as referral_actions
from northstar.survivors import actions
from northstar.web import selectors as web_selectors
from northstar.web.models import Intake
from northstar.web.templatetags.northstar_web import _nav_written
from tests.records import PDF_BYTES
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for, start

DJANGO_RENDERER = "django.forms.renderers.DjangoTemplates"
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _page(client, url: str, templates: str = "django/forms/widgets/") -> tuple[str, set[str]]:
    """The page's HTML (CSRF tokens blanked) and the templates (those whose name starts
    with ``templates``) rendered for it."""
    rendered: set[str] = set()

    def seen(sender, template, **kwargs):
        if (template.name or "").startswith(templates):
            rendered.add(template.name)

    template_rendered.connect(seen)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(seen)
    assert response.status_code == 200, response.content[:300]
    return _CSRF.sub(r"\1…\2", response.content.decode()), rendered


def _populated(caseworker, actor_for, case, org_b, supervisor=None):
    actor = actor_for(caseworker)
    add_alerts(actor, case, 3, partner=org_b)
    if supervisor is not None:  # two disbursements from the fund, one approved
        boss = actor_for(supervisor)
        fund.deposit_to_fund(boss, amount="1000", received_on="2025-01-01", source="donor",
                             currency="THB")
        for day in (5, 6):
            paid = fund.disburse(actor, case.survivor, purpose="medical", amount="100",
                                 paid_on=f"2025-01-0{day}", approver_id=boss.user.pk, case=case)
        fund.approve_disbursement(boss, paid)
    for i, on_case in enumerate((None, case, None)):
        document_actions.attach_document(actor, case.survivor, kind="id_document",
                                         data=PDF_BYTES, name=f"scan <{i}>.pdf", case=on_case)
    return actor


def test_the_case_and_survivor_pages_are_the_same_html_with_widgets_written_in_python(
        caseworker, actor_for, case_a, org_b):
    _populated(caseworker, actor_for, case_a, org_b)
    client = client_for(caseworker)
    for url in (f"/cases/{case_a.pk}/", f"/survivors/{case_a.survivor_id}/"):
        client.get(url)
        ours, our_templates = _page(client, url)
        with override_settings(FORM_RENDERER=DJANGO_RENDERER):
            theirs, their_templates = _page(client, url)
        assert "<select" in ours and "<option" in ours and "<input" in ours  # forms shown
        assert ours == theirs, url
        # Django's renderer went through the widget templates; this page's did not.
        assert {"django/forms/widgets/select.html",
                "django/forms/widgets/select_option.html"} <= their_templates
        assert not our_templates, our_templates


def test_an_own_survivors_documents_are_those_visible_documents_gives(
        caseworker, actor_for, case_a, org_b):
    actor = _populated(caseworker, actor_for, case_a, org_b)
    survivor = case_a.survivor
    other_case = actions.create_case(actor, survivor, data={
        "forms_of_exploitation": ["labour"], "country_of_origin": "KH",
        "country_of_destination": "TH"})
    document_actions.attach_document(actor, survivor, kind="id_document", data=PDF_BYTES,
                                     name="gone.pdf", case=other_case)
    actions.archive_case(actor, other_case)
    expected = list(document_selectors.visible_documents(actor).filter(survivor=survivor)
                    .select_related("case"))
    with CaptureQueriesContext(connection) as ctx:
        listed = document_selectors.documents_of_survivor(actor, survivor)
    assert [d.pk for d in listed] == [d.pk for d in expected]
    assert len(listed) == 3  # the archived case's document left out
    assert [d.case_id for d in listed] == [d.case_id for d in expected]
    reads = [q["sql"] for q in ctx.captured_queries if "documents_document" in q["sql"]]
    assert len(reads) == 1 and "referrals_referral" not in reads[0]


def test_the_actors_membership_and_organisation_are_read_in_one_query(caseworker):
    user = type(caseworker).objects.get(pk=caseworker.pk)
    with CaptureQueriesContext(connection) as ctx:
        actor = Actor.for_user(user, "web")
        assert actor.organisation.pk == caseworker.membership.organisation_id
        assert user.membership.organisation is actor.organisation
    assert len(ctx.captured_queries) == 1


def _djangos_own_tags() -> list[dict]:
    """``settings.TEMPLATES`` without ``core.template_tags``: Django's ``url`` and ``i18n``."""
    templates = copy.deepcopy(settings.TEMPLATES)
    for engine in templates:
        engine["OPTIONS"].pop("builtins", None)
        engine["OPTIONS"].pop("libraries", None)
    return templates


def test_the_pages_are_the_same_html_with_kept_urls_translations_and_navigation(
        caseworker, supervisor, other_caseworker, actor_for, case_a, org_b):
    actor = _populated(caseworker, actor_for, case_a, org_b, supervisor)
    referral = referral_actions.create_referral(
        actor, survivor=case_a.survivor, recipient=org_b, case=case_a, needs=["legal_aid"],
        shared_fields=["given_name", "languages"])
    assert client_for(other_caseworker).post(
        f"/referrals/{referral.pk}/accept/").status_code == 302
    case_page, survivor_page = f"/cases/{case_a.pk}/", f"/survivors/{case_a.survivor_id}/"
    pages = {caseworker: (case_page, survivor_page), supervisor: (case_page, survivor_page),
             other_caseworker: (survivor_page, f"/referrals/{referral.pk}/")}
    djangos = _djangos_own_tags()
    for user, urls in pages.items():
        client = client_for(user)
        for language in ("en", "km"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for url in urls:
                client.get(url)  # the navigation and the URL shapes are kept from here
                ours, rendered = _page(client, url, templates="web/")
                assert "web/_nav_links.html" not in rendered  # written once, not again
                assert ("ចាកចេញ" in ours) == (language == "km")  # "Log out"
                _nav_written.clear()
                try:
                    with override_settings(TEMPLATES=djangos):
                        theirs, rendered = _page(client, url, templates="web/")
                finally:
                    _nav_written.clear()
                assert "web/_nav_links.html" in rendered
                assert ours == theirs, (user.username, language, url)


class _Compiled:
    """The SELECTs Django compiles (``SQLCompiler.as_sql``) from now on."""

    def __init__(self, monkeypatch):
        self.sql: list[str] = []
        as_sql = SQLCompiler.as_sql

        def counted(compiler, *args, **kwargs):
            sql, params = as_sql(compiler, *args, **kwargs)
            self.sql.append(sql)
            return sql, params

        monkeypatch.setattr(SQLCompiler, "as_sql", counted)


def test_the_session_is_read_by_sql_written_once_and_an_expired_one_is_not(
        caseworker, monkeypatch):
    client = client_for(caseworker)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    assert store_class(key).load()  # the signed-in user's session
    compiled = _Compiled(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        data = store_class(key).load()
    assert data["_auth_user_id"] == str(caseworker.pk)
    assert len(ctx.captured_queries) == 1 and not compiled.sql
    session = store_class.get_model_class().objects.get(session_key=key)
    session.expire_date = timezone.now() - dt.timedelta(seconds=1)
    session.save()
    store = store_class(key)
    assert store.load() == {} and store.session_key is None
    assert client.get("/").status_code == 302  # signed out: to the sign-in page
    assert store_class("no-such-session-key").load() == {}


def test_the_survivor_pages_intake_and_disbursements_are_those_the_querysets_give(
        caseworker, supervisor, other_caseworker, actor_for, case_a, org_b, monkeypatch):
    _populated(caseworker, actor_for, case_a, org_b, supervisor)
    actor, survivor = actor_for(caseworker), case_a.survivor
    intake = start(client_for(caseworker))
    Intake.objects.filter(pk=intake.pk).update(survivor=survivor)
    expected = web_selectors.visible_intakes(actor).filter(
        survivor=survivor, completed_at__isnull=True).first()
    assert expected is not None
    assert web_selectors.open_intake_of_survivor(actor, survivor) == expected
    other = actor_for(other_caseworker)
    assert web_selectors.open_intake_of_survivor(other, survivor) is None
    assert web_selectors.visible_intakes(other).filter(survivor=survivor).first() is None
    paid = list(survivor.fund_disbursements.select_related("fund", "approver")[:5])
    assert len(paid) == 2
    for limit in (5, None, 1):
        listed = fund.disbursements_to(actor, survivor, limit=limit)
        assert listed == paid[:limit]
        assert [(d.fund.pk, d.approver_id) for d in listed] == [
            (d.fund.pk, d.approver_id) for d in paid[:limit]]
    compiled = _Compiled(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        shown = fund.disbursements_to(actor, survivor, limit=5)
        assert [d.survivor for d in shown] == [survivor, survivor]  # no query: given
        assert [d.fund.currency for d in shown]  # joined: no query
        web_selectors.open_intake_of_survivor(actor, survivor)
    # (the audit entry's chain head may be read by the ORM: not these two reads)
    assert not [sql for sql in compiled.sql if "fund_disbursement" in sql or "web_intake" in sql]
    assert len([q for q in ctx.captured_queries
                if "fund_disbursement" in q["sql"] or "web_intake" in q["sql"]]) == 2
