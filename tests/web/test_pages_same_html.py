"""The case and survivor pages, made cheaper (issue 13), write the same HTML as before.

- Form widgets are written in Python (``northstar.core.widgets.WidgetRenderer``): each page
  rendered with it and with Django's own template renderer is the same HTML, apart from the
  CSRF tokens (a new one per rendering);
- the survivor page reads its own organisation's survivor's documents by a query written
  once (no referral subquery): the same documents as ``visible_documents`` gives, a
  document of an archived case left out;
- the actor's membership and organisation are read in one query.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test import override_settings
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from northstar.core.actor import Actor
from northstar.documents import actions as document_actions
from northstar.documents import selectors as document_selectors
from northstar.survivors import actions
from tests.records import PDF_BYTES
from tests.web.test_flat_in_alerts import add_alerts
from tests.web.test_intake import client_for

DJANGO_RENDERER = "django.forms.renderers.DjangoTemplates"
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _page(client, url: str) -> tuple[str, set[str]]:
    """The page's HTML (CSRF tokens blanked) and the widget templates rendered for it."""
    rendered: set[str] = set()

    def seen(sender, template, **kwargs):
        if (template.name or "").startswith("django/forms/widgets/"):
            rendered.add(template.name)

    template_rendered.connect(seen)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(seen)
    assert response.status_code == 200, response.content[:300]
    return _CSRF.sub(r"\1…\2", response.content.decode()), rendered


def _populated(caseworker, actor_for, case, org_b):
    actor = actor_for(caseworker)
    add_alerts(actor, case, 3, partner=org_b)
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
