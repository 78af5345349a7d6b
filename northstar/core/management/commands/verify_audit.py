"""Walk the audit log's hash chain and report the first broken link (exit 1), or that it holds."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from northstar.core import auditparts, chain
from northstar.core.audit import verify_chain
from northstar.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero at the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--after-id", type=int, default=0,
                            help="resume from a checkpoint: the last entry already verified…")
        parser.add_argument("--prev-hash", default=None,
                            help="…and its entry_hash (as printed by the last run)")
        parser.add_argument("--archive", action="append", default=[], metavar="FILE",
                            help="an archive written by audit_archive, oldest first (repeat "
                                 "for each); the live table must follow the last one")

    def handle(self, *args, database="default", after_id=0, prev_hash=None, archive=(),
               **opts):
        if after_id and not prev_hash:
            raise CommandError("--after-id needs --prev-hash (the hash of that entry)")
        if archive:
            if after_id:
                raise CommandError("--archive walks from the start; leave out --after-id")
            try:
                broken, prev_hash, archived = auditparts.verify_archives(
                    [Path(a) for a in archive], prev_hash or chain.GENESIS)
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the archive: {exc}") from None
            if broken:
                raise CommandError(f"audit chain broken in {broken[0]} at entry {broken[1]}: "
                                   f"{broken[2]}")
            self.stdout.write(f"archives hold: {archived} entries verified")
        broken = verify_chain(using=database, after_id=after_id, prev_hash=prev_hash)
        if broken:
            entry_id, reason = broken
            raise CommandError(f"audit chain broken at entry {entry_id}: {reason}")
        entries = AuditEntry.objects.using(database).filter(id__gt=after_id)
        last = entries.order_by("-id").values_list("id", "entry_hash").first()
        if last:
            self.stdout.write(f"audit chain holds: {entries.count()} entries verified; "
                              f"checkpoint --after-id {last[0]} --prev-hash {last[1]}")
        else:
            self.stdout.write("audit chain holds: no entries to verify")
