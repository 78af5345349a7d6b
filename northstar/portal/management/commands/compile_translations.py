"""Compile northstar/locale/*/LC_MESSAGES/django.po into .mo with msgfmt --check-format.

Unlike ``compilemessages`` run from the project root, this touches only our
catalogues (never the virtualenv's). The .mo files are committed; a test checks
they match their .po.
"""

from __future__ import annotations

import shutil
import subprocess

from django.core.management.base import BaseCommand, CommandError

from northstar.portal import catalogue


def compile_po(po, mo) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise CommandError("msgfmt not found: install gettext")
    result = subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"{po}: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (only northstar/locale)."

    def handle(self, *args, **options):
        for locale in catalogue.LOCALES:
            po = catalogue.po_path(locale)
            if not po.exists():
                continue
            compile_po(po, po.with_suffix(".mo"))
            self.stdout.write(f"compiled {po.relative_to(catalogue.locale_dir().parent.parent)}")
