"""Rebuild the name search index (``survivors.search``) of every survivor.

Run after ``migrate`` on a database that had survivors before the index existed,
after changing the phonetic rules, and (done by ``rotate_keys`` itself) after the
primary field key changed, since the index key is derived from it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from northstar.core.actor import Actor
from northstar.core.audit import record
from northstar.survivors import search


class Command(BaseCommand):
    help = "Rebuild the keyed blind index that name search and duplicate detection use."

    def handle(self, *args, **opts):
        def progress(done, total):
            self.stdout.write(f"\r{done}/{total} survivors", ending="")

        rows = search.rebuild(progress=progress)
        self.stdout.write("")
        kid, _ = search.index_key()
        record(Actor.system("cli"), "update", "name_index", kid,
               note=f"name search index rebuilt: {rows} tokens")
        self.stdout.write(f"{rows} token(s) written under key {kid}")
