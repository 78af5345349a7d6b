"""The pages h-smallreads changed, one request at a time on a kept connection (issue 13).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_smallreads_100000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench [NORTHSTAR_ROOT=/work/main] \\
      .venv/bin/python bench/small_reads.py [--repeat 7] [--warm 3] [--users ...]

``bench/slow_reads.py``'s loop over other URLs and users: the supervisor of the largest
organisation (``supervisor.th``) and of a small one (``supervisor.kh``) on
``/justice/tasks/overdue/`` (and its second page), the council coordinators on the honoraria
page and the reference suggestions (``/engagement/candidates/?reference=``), the caseworkers on
``GET /api/v1/referrals`` and ``GET /api/v1/case-tasks`` (their capped counts). Prints for each
the median wall ms, this process's CPU ms, the PostgreSQL backend's CPU ms (from
``/proc/<pid>/schedstat``) and the statements run. ``NORTHSTAR_ROOT`` picks the code measured
(another checkout: the "before"). Requests write audit entries: run it on a copy of a bench
database. Asserts nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("NORTHSTAR_ROOT") or str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

import django  # noqa: E402

django.setup()


#: Per role (the username's first part), the URLs asked; ``{code}`` is the organisation's.
URLS = {
    "supervisor": ["/justice/tasks/overdue/", "next:/justice/tasks/overdue/"],
    "council_coordinator": ["/engagement/honoraria/", "/engagement/candidates/?reference={code}-",
                            "/engagement/candidates/?reference={code}-2",
                            "/engagement/candidates/?reference={code}-2A"],
    "caseworker": ["/api/v1/referrals", "/api/v1/case-tasks"],
}


def _next_of(app, url: str, headers: dict) -> str:
    """The first page's "Next page" link of ``url`` (the URL itself when there is none)."""
    import re
    from html import unescape

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", **headers)
    body = client.get(url).content.decode()
    found = re.search(r'href="\?([^"]*cursor=[^"]*)" rel="next"', body)
    return f"{url}?{unescape(found.group(1))}" if found else url


def _resolved(app, url: str, headers: dict) -> str:
    return _next_of(app, url.removeprefix("next:"), headers) if url.startswith("next:") else url


def main() -> None:
    from slow_reads import run

    def urls_of(username: str, user) -> list[str]:
        code = user.membership.organisation.code
        return [url.format(code=code) for url in URLS[username.split(".")[0]]]

    run(urls_of, users="supervisor.th,supervisor.kh,council_coordinator.th,"
        "council_coordinator.kh,caseworker.th,caseworker.kh", token="small-reads",
        description=__doc__.split("\n\n")[0], resolve=_resolved)


if __name__ == "__main__":
    main()
