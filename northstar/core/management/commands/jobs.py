"""Jobs on the command line: the latest ones with a progress bar, or one followed to its end."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from northstar.core.models import Job

BAR = 30


def bar(job: Job) -> str:
    """``[#########.....................]  3/10`` (or the count alone when the total is unknown)."""
    if not job.total and job.status == Job.Status.DONE:
        return f"[{'#' * BAR}] {job.done}"
    if not job.total:
        return f"[{'?' * BAR}] {job.done}"
    filled = min(BAR, BAR * job.done // job.total)
    return f"[{'#' * filled}{'.' * (BAR - filled)}] {job.done}/{job.total}"


def line(job: Job) -> str:
    when = timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")
    text = f"#{job.pk:<6} {when}  {job.kind:<28} {job.get_status_display():<16} {bar(job)}"
    if job.key:
        text += f"  key {job.key}"
    if job.message:
        text += f"  {job.message}"
    return text


class Command(BaseCommand):
    help = "List recent jobs with their progress, or --follow one job until it finishes."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--status", choices=Job.Status.values)
        parser.add_argument("--kind")
        parser.add_argument("--follow", type=int, metavar="ID",
                            help="redraw this job's progress bar until it is finished or failed")

    def handle(self, *args, limit=20, status=None, kind=None, follow=None, **opts):
        if follow is not None:
            return self._follow(follow)
        jobs = Job.objects.defer("result_file", "params").order_by("-created_at", "-id")
        if status:
            jobs = jobs.filter(status=status)
        if kind:
            jobs = jobs.filter(kind=kind)
        found = list(jobs[:max(1, limit)])
        for job in found:
            self.stdout.write(line(job))
        if not found:
            self.stdout.write("no jobs")

    def _follow(self, job_id: int) -> None:
        while True:
            job = Job.objects.defer("result_file").filter(pk=job_id).first()
            if job is None:
                raise CommandError(f"no job #{job_id}")
            self.stdout.write(f"\r{line(job)}", ending="")
            self.stdout.flush()
            if job.status in (Job.Status.DONE, Job.Status.FAILED):
                self.stdout.write("")
                if job.status == Job.Status.FAILED:
                    raise CommandError(f"job #{job_id} failed: {job.message}")
                return
            time.sleep(1)
