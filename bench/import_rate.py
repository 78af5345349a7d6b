"""Bulk import rate, by hand: records per second through ``survivors.importer`` on PostgreSQL.

    .venv/bin/python bench/import_rate.py [N]        # default N = 20000

It creates (or empties) a throw-away database ``ns_import_bench`` (``BENCH_DB_NAME``) on
the PostgreSQL at 127.0.0.1:5432 (user postgres; set BENCH_DATABASE_URL to use another),
migrates it, generates N synthetic survivors with Khmer, Thai, Vietnamese, Burmese and Lao
names (romanised and in their own scripts), and times the whole import of the file
(``importer.import_csv``, as ``manage.py import_survivors`` runs it; with
``BENCH_CHECK_FIRST=1``, ``read_rows`` then ``import_rows``, as the HTCDS import does): CSV
parsing and row checks, sealing eight fields each, the duplicate key, the name index (~17
tokens each), the inserts and the audit entries, in one transaction. It prints records/s
and the CPU seconds each side spent.
Nothing here is a test: ``tests/survivors/test_bulk_import.py`` checks behaviour.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

#: The code to measure: this checkout, or another (``BENCH_CODE=/work/main`` for "before").
ROOT = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

DB_NAME = os.environ.get("BENCH_DB_NAME", "ns_import_bench")
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: ``BENCH_SQLITE=path`` measures on a fresh SQLite file instead of PostgreSQL.
SQLITE = os.environ.get("BENCH_SQLITE", "")

GIVEN = ["Sokha", "Sokhar", "Srey", "Srei", "Dara", "Bopha", "Chenda", "Sophea", "Pisey",
         "Thida", "Vanna", "Somchai", "Somchay", "Wanida", "Vanida", "Malee", "Niran",
         "Thị Lan", "Văn Minh", "Thu Hà", "Hoa", "Aung", "Hnin", "Khin", "Thandar", "Noy",
         "Phonsavanh", "Souk", "សុខា", "ស្រី", "สมชาย", "ມາລີ", "Nyein", "Pov", "Kanha"]
FAMILY = ["Chan", "Meas", "Phal", "Pal", "Kim", "Sok", "Nguyễn", "Nguyen", "Trần", "Lê",
          "Phạm", "Srisuk", "Wongsa", "Boonmee", "Htun", "Win", "Oo", "Phommachanh",
          "Sayavong", "Keo", "Heng", "Ly", "Ros", "Chhim", "ចាន់", "บุญมี"]


def generate_rows(n: int, seed: int = 14) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        year = rnd.randint(1960, 2010)
        rows.append({
            "given_name": rnd.choice(GIVEN) + ("" if rnd.random() < 0.7 else f" {rnd.choice(GIVEN)}"),
            "family_name": rnd.choice(FAMILY),
            "aliases": rnd.choice(GIVEN) if rnd.random() < 0.2 else "",
            "date_of_birth": f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "phone": f"+855 {rnd.randint(10, 99)} {rnd.randint(100, 999)} {i % 1000:03d}",
            "address": f"Village {rnd.randint(1, 500)}, district {rnd.randint(1, 40)}",
            "id_document_numbers": f"N{rnd.randint(10**7, 10**8 - 1)}",
            "contact_notes": "Prefers calls after 6 pm." if rnd.random() < 0.3 else "",
            "sex": rnd.choice(["female", "male", "unknown"]),
            "nationality": rnd.choice(["KH", "TH", "VN", "MM", "LA"]),
            "languages": rnd.choice(["km", "th", "vi", "my", "lo", "km;th"]),
            "interpreter_needed": rnd.choice(["yes", "no"]),
        })
    return rows


def _schema_tag() -> str:
    """A short hash of the measured code's migration files: a migrated empty database is
    kept per schema as a template, so each run starts from a fresh copy without spending a
    minute in ``migrate`` (the measured import is the same either way)."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(ROOT.glob("northstar/*/migrations/*.py")):
        h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()[:10]


def setup_database(fresh: bool = True) -> None:
    """Point Django at the throw-away database (created, or emptied when ``fresh``) and migrate.
    A fresh database is copied from a migrated template of the code's schema when there is
    one (``BENCH_NO_TEMPLATE=1``: never); else it is migrated and kept as that template."""
    template = None if os.environ.get("BENCH_NO_TEMPLATE") else f"ns_import_tmpl_{_schema_tag()}"
    made_template = False
    if SQLITE:
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(SQLITE + suffix).unlink(missing_ok=True)
            kept = Path(f"/tmp/{template}.sqlite3") if template else None
            if kept and kept.exists():
                import shutil

                shutil.copyfile(kept, SQLITE)
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(SQLITE).resolve()}"
    else:
        import psycopg

        with psycopg.connect(SERVER, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [DB_NAME]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            if not exists or fresh:
                have = template and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                                 [template]).fetchone()
                conn.execute(f'CREATE DATABASE "{DB_NAME}"' + (f' TEMPLATE "{template}"'
                                                               if have else ""))
                made_template = bool(template and not have)
        os.environ["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + f"/{DB_NAME}"
    os.environ.pop("DATABASE_MIGRATE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if SQLITE and template and fresh and not Path(f"/tmp/{template}.sqlite3").exists():
        import shutil

        connection.close()
        shutil.copyfile(SQLITE, f"/tmp/{template}.sqlite3")
    elif made_template:
        import psycopg

        connection.close()
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{DB_NAME}"')


def organisation(code: str = "BENCH"):
    from northstar.core.models import Organisation

    org = Organisation.objects.filter(code=code).first()
    return org or Organisation.objects.create(name="Bench NGO", code=code, kind="ngo",
                                              jurisdiction="KH")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    setup_database(fresh=True)
    from django.db import connection

    from northstar.core.actor import Actor
    from northstar.survivors import importer
    from northstar.survivors.models import NameToken, Survivor

    org = organisation()
    text = importer.rows_to_csv(generate_rows(n))
    actor = Actor.system("cli", organisation=org)
    profiler = None
    if os.environ.get("BENCH_PROFILE"):  # a pyinstrument HTML profile at that path
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    backend = _backend_pid(connection)
    nice = os.environ.get("BENCH_NICE")
    if nice:  # e.g. -20 (root): this process and its backend ahead of a loaded machine's others
        os.setpriority(os.PRIO_PROCESS, 0, int(nice))  # threads started later inherit it
        if backend:
            os.setpriority(os.PRIO_PROCESS, backend, int(nice))
    cpu0, server0 = time.process_time(), _cpu_seconds(backend)
    main0 = time.thread_time()
    load0 = os.getloadavg()[0]
    started = time.perf_counter()
    if os.environ.get("BENCH_CHECK_FIRST"):  # the rows checked first, then written
        importer.import_rows(actor, org, importer.read_rows(text))
    else:  # the whole file as `import_survivors` imports it (checks overlap the writes)
        importer.import_csv(actor, org, text)
    done = time.perf_counter()
    cpu, server = time.process_time() - cpu0, _cpu_seconds(backend)
    main_thread = time.thread_time() - main0
    helper = max(cpu - main_thread, 0.0)  # the importer's helper thread (0 if it has none)
    server = None if server is None else server - server0
    load1 = os.getloadavg()[0]
    if profiler is not None:
        profiler.stop()
        Path(os.environ["BENCH_PROFILE"]).write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    total = done - started
    print(f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}"
          f" code: {ROOT}")
    print(f"{n:,} survivors, {NameToken.objects.count():,} index tokens, "
          f"{Survivor.objects.count():,} rows")
    print(f"import rate: {n / total:,.0f} records/s (whole import, {total:.2f} s; "
          f"load average {load0:.1f} -> {load1:.1f})")
    if server is not None:
        # Wall time on a shared machine says more about the neighbours than the import: the
        # CPU each side spent does not. Client and server run on different cores.
        # Two idle cores: the main thread's work and the backend's alternate (it waits on
        # the database), the helper thread runs beside the database but not beside the
        # main thread's Python (one interpreter lock): main + max(backend, helper).
        print(f"CPU: client {cpu:.2f} s (main thread {main_thread:.2f} s, helper thread "
              f"{helper:.2f} s), database backend {server:.2f} s; "
              f"{n / (cpu + server):,.0f} records per CPU-second; on two idle cores "
              f"~{n / (main_thread + max(server, helper)):,.0f} records/s")
    else:
        print(f"CPU: {cpu:.2f} s in this process (main thread {main_thread:.2f} s, helper "
              f"thread {helper:.2f} s; SQLite: the database works in the main thread); "
              f"{n / cpu:,.0f} records per CPU-second")


def _backend_pid(connection):
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid) -> float | None:
    """User + system CPU of a local PostgreSQL backend (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
