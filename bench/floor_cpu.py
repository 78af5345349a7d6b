"""CPU per request of the framework floor (``bench/floor``, ``GET /records``), in process and
in its PostgreSQL backend, the way ``bench/profile_write.py`` counts a create's: beside it,
a ratio of CPU costs that a loaded machine does not blur as it does requests/s.

    .venv/bin/python bench/floor_cpu.py --repeat 300
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "floor"))
import floorapp  # noqa: E402, F401 - sets Django up
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def backend_cpu() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    client = Client()
    for _ in range(5):
        assert client.get("/records").status_code == 200
    server, started = backend_cpu(), time.process_time()
    for _ in range(args.repeat):
        client.get("/records")
    own = (time.process_time() - started) / args.repeat * 1000
    server = (backend_cpu() - server) / args.repeat * 1000
    print(f"CPU per floor request: {own:.2f} ms here + {server:.2f} ms in its PostgreSQL backend "
          f"(over {args.repeat}; load {Path('/proc/loadavg').read_text().split()[0]})")


if __name__ == "__main__":
    main()
