"""The demo has read-aloud intake surveys and a due follow-up check-in with its task."""

from django.core.management import call_command

from northstar.outcomes.models import CheckIn, SurveyResponse


def test_the_demo_has_surveys_and_a_due_check_in(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))
    assert SurveyResponse.objects.filter(channel="read_aloud").count() == 2
    due = CheckIn.objects.get(months=3)
    assert due.status() == "due" and due.task is not None
