"""The HTCDS job pages' progress and ending sentences in the reader's language (issue 13,
h-auditjobs): the export, release and import jobs store their steps in English
(``gettext_noop``) and the job's page shows them through ``gettext``."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from northstar.core.models import Job
from northstar.insights.htcds import work
from tests.insights.test_htcds_import import GOOD, csv_bytes

pytestmark = pytest.mark.django_db

BAD = [GOOD[0], [*GOOD[1][:2], "30/11/2001", *GOOD[1][3:]], GOOD[2]]  # row 3: a bad date
STEPS = (work.EXPORTING, work.RELEASING, work.CHECKING, work.IMPORTING)
LANGUAGES = ("km", "th", "vi", "id", "my", "lo", "fil", "zh-hant")


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A page asked for in Khmer or Thai leaves that language active in this thread (the
    locale middleware activates it and nothing resets it): put it back for the next test."""
    yield
    translation.deactivate()


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_and_end_of_an_htcds_job_has_a_translation(language):
    with translation.override(language):
        untranslated = [step for step in STEPS if gettext(step) == step]
    assert not untranslated, untranslated


def test_a_running_release_shows_its_step_in_khmer(signed_in, supervisor):
    job = work.submit_release(_actor(supervisor), k=2)
    Job.objects.filter(pk=job.pk).update(status="running", message=work.RELEASING, total=4,
                                         done=1)
    signed_in.cookies["django_language"] = "km"
    html = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    with translation.override("km"):
        said = gettext(work.RELEASING)
    assert said in html and ": Releasing" not in html
    assert re.search(r"[\u1780-\u17FF]", html)


def test_an_import_with_errors_ends_saying_so_in_the_readers_language(
        signed_in, settings, django_capture_on_commit_callbacks):
    settings.NORTHSTAR_HTCDS_IMPORT_INLINE_BYTES = 10
    signed_in.cookies["django_language"] = "th"
    upload = SimpleUploadedFile("people.csv", csv_bytes(BAD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/insights/htcds/import", {"file": upload})
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.status == "done" and job.message == ""  # the outcome says what happened
    html = signed_in.get(f"/insights/htcds/jobs/{job.pk}/").content.decode()
    assert "Nothing was imported" not in html and "Row 3" in html
    assert re.search(r"[\u0E00-\u0E7F]", html)


def _actor(user):
    from northstar.core.actor import Actor

    return Actor.for_user(user, "web")
