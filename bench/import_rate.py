"""Bulk import rate, by hand: records per second through ``survivors.importer`` on PostgreSQL.

    .venv/bin/python bench/import_rate.py [N]        # default N = 20000

It creates (or empties) a throw-away database ``ns_bench_search`` on the PostgreSQL at
127.0.0.1:5432 (user postgres; set BENCH_DATABASE_URL to use another), migrates it,
generates N synthetic survivors with Khmer, Thai, Vietnamese, Burmese and Lao names
(romanised and in their own scripts), and times the whole import: CSV parsing and row
checks, sealing eight fields each, the duplicate key, the name index (~20 tokens each),
the inserts and the audit entries, in one transaction. It prints records/s.
Nothing here is a test: ``tests/survivors/test_bulk_import.py`` checks behaviour.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "ns_bench_search"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

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


def setup_database(fresh: bool = True) -> None:
    """Point Django at the throw-away database (created, or emptied when ``fresh``) and migrate."""
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
        if not exists or fresh:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + f"/{DB_NAME}"
    os.environ.pop("DATABASE_MIGRATE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "northstar.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    started = time.perf_counter()
    rows = importer.read_rows(text)
    checked = time.perf_counter()
    importer.import_rows(actor, org, rows)
    done = time.perf_counter()
    total = done - started
    print(f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}")
    print(f"{n:,} survivors, {NameToken.objects.count():,} index tokens, "
          f"{Survivor.objects.count():,} rows")
    print(f"check rows: {checked - started:.2f} s; write (seal, index, insert, audit): "
          f"{done - checked:.2f} s")
    print(f"import rate: {n / total:,.0f} records/s (whole import, {total:.2f} s)")


if __name__ == "__main__":
    main()
