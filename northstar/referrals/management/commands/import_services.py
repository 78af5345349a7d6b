"""Import the service directory from a CSV file: every row, or nothing if any row is wrong."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.core.actor import Actor
from northstar.referrals import actions


class Command(BaseCommand):
    help = "Import services and providers from a CSV file (see referrals/csv_import.py for columns)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            counts = actions.import_services(Actor.system("cli"), text=text)
        except actions.ImportRejected as exc:
            lines = [f"row {e['row']}, {e['column']}: {e['message']}" for e in exc.extra["errors"]]
            raise CommandError(exc.message + "\n" + "\n".join(lines)) from None
        self.stdout.write(f"imported: {counts['created']} new, {counts['updated']} updated, "
                          f"{counts['unchanged']} unchanged services; "
                          f"{counts['providers_created']} new providers")
