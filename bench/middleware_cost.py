"""What each middleware costs an API request, by taking it out (issue 13, fixed cost).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ns_apicost_10000 \\
      NORTHSTAR_VAR_DIR=/work/main/var/bench .venv/bin/python bench/middleware_cost.py \\
      --only me --rounds 40 --each

One WSGI handler with ``settings.MIDDLEWARE`` as it is, one without any middleware, one
without the browser-only ones (``core.middleware._BrowserOnly`` and the others a bearer
request passes through untouched) and, with ``--each``, one without each middleware in turn;
all in one process, on one kept connection, the same request as ``bench/spend.py`` makes
(its ``northstar_requests``). Rounds of 100 requests per handler, in a new random order each
round; the median CPU (``process_time``) per request of each handler, and how much less than
the whole chain it spends. Sampling profilers smear a layer's few microseconds over the
frames around it; taking the layer out does not. A handler without a middleware is not a
valid server (no headers, no checks): this measures, it serves nothing. The request writes
its audit entry: run it on a copy of a bench database. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

import spend  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

#: Middleware a bearer-token API request goes through without it doing anything for it.
BROWSER_ONLY = ("SessionMiddleware", "AuthenticationMiddleware", "OTPMiddleware",
                "MessageMiddleware", "CsrfViewMiddleware", "TwoFactorMiddleware",
                "ActorMiddleware", "DomainErrorMiddleware", "AxesMiddleware")


def handler_without(names: set[str]) -> WSGIHandler:
    """A WSGI handler whose chain is ``settings.MIDDLEWARE`` less the classes named."""
    whole = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [m for m in whole if m.rsplit(".", 1)[1] not in names]
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = whole


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="me", help="bench/spend.py's request keys")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--each", action="store_true", help="also each middleware alone")
    args = parser.parse_args()
    names = [m.rsplit(".", 1)[1] for m in settings.MIDDLEWARE]
    variants = {"whole chain": set(), "no browser-only": set(BROWSER_ONLY),
                "no middleware": set(names)}
    if args.each:
        variants.update({f"without {name}": {name} for name in names})
    handlers = {label: handler_without(drop) for label, drop in variants.items()}
    keys = set(args.only.split(","))
    per_handler = {label: spend.northstar_requests(handler, keys)[0]
                   for label, handler in handlers.items()}
    for row in range(len(per_handler["whole chain"])):
        requests = {label: rows[row][2] for label, rows in per_handler.items()}
        for request in requests.values():
            for _ in range(30):
                request()
        cpu: dict[str, list[float]] = {label: [] for label in requests}
        for _ in range(args.rounds):
            order = list(requests.items())
            random.shuffle(order)
            for label, request in order:
                started = time.process_time()
                for _ in range(100):
                    request()
                cpu[label].append((time.process_time() - started) * 10)
        whole = statistics.median(cpu["whole chain"])
        print(f"\n{per_handler['whole chain'][row][1]} (load {os.getloadavg()[0]:.1f}): "
              f"ms of CPU per request, median of {args.rounds} rounds of 100")
        for label, values in cpu.items():
            median = statistics.median(values)
            print(f"  {label:40s} {median:.3f}   {whole - median:+.3f}")


if __name__ == "__main__":
    main()
