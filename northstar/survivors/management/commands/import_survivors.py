"""Import survivors from a CSV file into one organisation: all rows or none.

    manage.py import_survivors people.csv --organisation ORGA [--as USERNAME] [--job]

Every row is checked first; a wrong row is reported by row number and column and
nothing is written. With ``--job`` the import runs as a job (``core/jobs.py``), as it
does from the pages, and its progress is on the job's row.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from northstar.core.actor import Actor
from northstar.core.models import Organisation
from northstar.survivors import importer


class Command(BaseCommand):
    help = "Import survivors from CSV (checked row by row, all or nothing, sealed and indexed)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="the organisation's code")
        parser.add_argument("--as", dest="username", help="the staff member importing")
        parser.add_argument("--job", action="store_true", help="run as a job")

    def handle(self, *args, file, organisation, username=None, job=False, **opts):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"No organisation has the code {organisation!r}.")
        actor = Actor.system("cli", organisation=org)
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No staff member is called {username!r}.")
            actor = Actor.for_user(user, "cli")
            if actor.organisation is None or actor.organisation.pk != org.pk:
                raise CommandError(f"{username} is not a member of {org.code}.")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        if job:
            done = importer.submit_import(actor, org, text)
            done.refresh_from_db()
            self.stdout.write(f"job {done.pk}: {done.status}, {done.done}/{done.total} "
                              f"{done.result or ''}")
            return
        try:
            ids = importer.import_csv(actor, org, text, progress=lambda d, t: self.stdout.write(
                f"{d}/{t} imported"))
        except importer.ImportRefused as exc:
            raise CommandError("\n".join(["Nothing was imported:", *exc.errors])) from None
        self.stdout.write(f"{len(ids)} survivor(s) imported into {org.code}.")
