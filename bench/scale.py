"""Issue 13's scale benchmark: Northstar at 1k, 10k and 100k survivors, as a ratio of the floor.

    .venv/bin/python bench/scale.py                      # sizes 1000,10000,100000
    .venv/bin/python bench/scale.py --sizes 1000,10000   # a quick run
    .venv/bin/python bench/scale.py --import-command import_survivors   # also the import rate

For each size it makes (once) a PostgreSQL database ``ns_bench_<size>`` with that many
survivors in one organisation (``manage.py bench_population``; reused while its comment
says it was generated with the same figures), serves it with gunicorn (2 workers,
``DB_CONN_MAX_AGE=60``) and serves the framework floor (``bench/floor/floorapp.py``: a bare
Django JSON list of 50 rows from one indexed query) the same way, then measures:

- under load (``wrk -t2 -c50``): requests/s of each API endpoint as a ratio of the
  floor's requests/s measured just before, with p50 and p99 latency;
- one request at a time: each page and figure in milliseconds, beside the floor's
  measured once at the start of the size (the first table: "× the floor" there compares
  two moments, and the floor alone moved 1.7 -> 2.5 ms between runs on a shared machine);
  then again **interleaved** with the floor (floor, floor, page, page … from the same
  client, ``--pairs`` rounds; each kind timed on its second request): the page's and the
  floor's medians over those rounds and the **median of the rounds' ratios** (``interleaved``),
  so the ×-figure measures the page, not the machine's drift.
- then (unless ``--api-only`` or ``--no-spend``) what each request still spends, by category,
  beside the floor's (``bench/spend.py`` on a copy of the size's database).

Only ratios compare across machines. It prints a markdown table and writes it to
``bench/results/scale-<date>.md``; copy the figures into ``bench/README.md``.
Needs ``wrk`` (``apt-get install -y wrk``) and PostgreSQL at 127.0.0.1:5432 (user postgres).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
#: Key ring and secrets shared by the generator and the server (``BENCH_VAR_DIR``: another
#: checkout's, e.g. /work/main/var/bench, to measure a branch on populations made there).
VAR = Path(os.environ.get("BENCH_VAR_DIR") or ROOT / "var" / "bench")
#: Ports of Northstar and the floor (``BENCH_NS_PORT``, ``BENCH_FLOOR_PORT``): two runs on
#: one machine must not answer each other's requests.
NS_PORT = int(os.environ.get("BENCH_NS_PORT", "8811"))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", "8801"))
#: A page or figure still computing after this long is cut off (gunicorn kills the worker at
#: the same moment) and reported as "over N s", so one pathological figure cannot stall a run.
PAGE_TIMEOUT = int(os.environ.get("BENCH_PAGE_TIMEOUT", "120"))
LOGS = ROOT / "var" / "bench-logs"  # the servers' own output (4xx warnings and the like)
ORG_COUNT = 1
#: The populations' names: ``<prefix><size>`` (``BENCH_DB_PREFIX``: a helper's copies, e.g.
#: ``ns_mine_`` for ``ns_mine_100000``, made with ``createdb -T ns_bench_100000`` and the
#: same ``COMMENT ON DATABASE``: page views and ``prepare.py`` write to the database).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "ns_bench_")
#: The checkout whose Northstar is served (``BENCH_CODE_ROOT``; this one by default): a
#: "before" measured by this script's own method, e.g. ``/work/main``.
CODE = Path(os.environ.get("BENCH_CODE_ROOT") or ROOT)


def log(*args) -> None:
    print("·", *args, file=sys.stderr, flush=True)


# --- PostgreSQL --------------------------------------------------------------------------
def admin():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def db_comment(name: str) -> str | None:
    with admin() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", [name]).fetchone()
    return None if row is None else (row[0] or "")


def env_for(db: str, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{db}", "NORTHSTAR_VAR_DIR": str(VAR),
           "DJANGO_SETTINGS_MODULE": "bench.scale_settings", "DB_CONN_MAX_AGE": "60",
           "PYTHONPATH": str(CODE), **extra}
    env.pop("NORTHSTAR_TEST_DB_NAME", None)
    return env


def manage(db: str, *args: str, quiet: bool = True) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env_for(db),
                   check=True, stdout=subprocess.DEVNULL if quiet else None)


def ensure_population(size: int) -> str:
    """The bench database for ``size`` survivors, generated once and reused."""
    db = f"{DB_PREFIX}{size}"
    marker = f"northstar bench population survivors={size} organisations={ORG_COUNT}"
    comment = db_comment(db)
    if comment is None and os.environ.get("BENCH_REUSE_ONLY"):
        raise SystemExit(f"no {db} and BENCH_REUSE_ONLY is set: not creating it")
    if comment is None:
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
    VAR.mkdir(parents=True, exist_ok=True)
    manage(db, "migrate", "--noinput")  # cheap when current; applies migrations merged since
    if comment != marker and os.environ.get("BENCH_REUSE_ONLY"):
        # Several people measuring on one server: only whoever owns the populations makes them.
        raise SystemExit(f"{db} is not marked '{marker}' (still being generated?) and "
                         "BENCH_REUSE_ONLY is set: not generating it")
    if comment != marker:
        log(f"generating {size} survivors into {db} (once; reused afterwards)")
        started = time.monotonic()
        manage(db, "bench_population", "--survivors", str(size),
               "--organisations", str(ORG_COUNT), quiet=False)
        with admin() as conn:
            conn.execute(f"COMMENT ON DATABASE \"{db}\" IS '{marker}'")
        import psycopg

        with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        log(f"{db} ready in {time.monotonic() - started:.0f} s")
    return db


# --- servers -----------------------------------------------------------------------------
def wait_for(url: str, seconds: float = 60, headers: dict | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),  # noqa: S310
                                   timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


@contextlib.contextmanager
def gunicorn(app: str, port: int, env: dict, cwd: Path):
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), app, "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout",
         str(PAGE_TIMEOUT + 5),
         "--log-level", "warning"], cwd=cwd, env=env, start_new_session=True,
        stderr=open(LOGS / f"{port}.log", "a"))  # noqa: SIM115 - closed with the process
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # requests still queued are dropped, not answered
        proc.wait(timeout=30)
        db = env.get("DATABASE_URL", "").rsplit("/", 1)[-1]
        if db.startswith(DB_PREFIX):
            with admin() as conn:  # and queries still running for them stop too
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", [db])


def floor_server(rows: int):
    env = {**os.environ, "FLOOR_DB": "ns_floor", "PYTHONPATH": str(BENCH / "floor")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if db_comment("ns_floor") is None:
        with admin() as conn:
            conn.execute("CREATE DATABASE ns_floor")
    if db_comment("ns_floor") != f"floor rows={rows}":
        subprocess.run([str(BIN / "python"), "floorapp.py", "seed", str(rows)], cwd=BENCH / "floor",
                       env=env, check=True, stdout=subprocess.DEVNULL)
        with admin() as conn:
            conn.execute(f"COMMENT ON DATABASE ns_floor IS 'floor rows={rows}'")
    return gunicorn("floorapp:application", FLOOR_PORT, env, BENCH / "floor")


# --- measuring ---------------------------------------------------------------------------
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, duration: str, connections: int, headers: dict | None = None,
        script: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", "--timeout", "60s"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in lat:
        log("wrk printed no latency distribution:", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors:.*timeout (\d+)", out)
    return {"rps": rps, "p50": _ms(lat["50"]) if "50" in lat else None,
            "p99": _ms(lat["99"]) if "99" in lat else None,
            "errors": int(errors.group(1)) if errors else 0,
            "timeouts": int(sockets.group(1)) if sockets else 0}


#: Requests sent before a page is timed (``--warm``). One by default, as since the first
#: runs; a server that has served a page a few times on each worker (``--warm 6``) holds
#: what later views reuse: statements PostgreSQL prepared on the kept connection after
#: their third run (``NORTHSTAR_PG_PREPARE_THRESHOLD``), and the case page's reads sent
#: together once a worker has seen one (``core.ahead``).
WARM = 1


#: Rounds of the interleaved figures (``--pairs``; see ``interleaved``).
PAIRS = 11


def _timed(url: str, headers: dict) -> tuple[float, int] | None:
    """Milliseconds and HTTP status of one request; ``None`` if cut off (after waiting
    for the server to answer again)."""
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=PAGE_TIMEOUT) as answer:  # noqa: S310
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:  # cut off (timeout) or the worker killed under it
        wait_for(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/api/v1/health",
                 seconds=PAGE_TIMEOUT)
        return None
    return (time.perf_counter() - started) * 1000, status


def interleaved(url: str, headers: dict, floor_url: str, pairs: int | None = None) -> dict:
    """The page against the floor measured in turns from one client: ``WARM`` requests of
    the page and one of the floor first, then ``pairs`` times: floor, floor, page, page.
    Each of a kind's second request (after one of its own kind, as the one-at-a-time
    figures are measured) is the pair's figure; the first of each (just after the other
    kind's) is kept apart as ``*_after_other``: timed just after a page, the floor was
    often slower than after a floor (its worker no longer warm in the caches; a first
    try with plain floor/page pairs put the caseload at ×5–6 where the table above said
    ×11–12, bench/README.md, h-caseload7), which flatters the page. ``page`` and ``floor``:
    the medians (ms) over the pairs; ``ratio``: the median of each pair's page / floor (a
    page over 3 s: one pair). ``status``: the page's last; 0 when it was cut off."""
    pairs = PAIRS if pairs is None else pairs
    cut_off = {"page": PAGE_TIMEOUT * 1000.0, "floor": 0.0, "ratio": 0.0, "status": 0,
               "pairs": 0}
    for _ in range(max(1, WARM)):
        if _timed(url, headers) is None:
            return cut_off
    _timed(floor_url, {})
    kept: dict[str, list[float]] = {"floor_after_other": [], "floor": [],
                                    "page_after_other": [], "page": []}
    status = 0
    for _ in range(pairs):
        times = [_timed(floor_url, {}), _timed(floor_url, {}), _timed(url, headers)]
        if times[2] is None:
            return cut_off
        if times[2][0] <= 3000:
            times.append(_timed(url, headers))
            if times[3] is None:
                return cut_off
        else:
            times.append(times[2])
        if None in times:
            continue
        for name, found in zip(kept, times, strict=True):
            kept[name].append(found[0])
        status = times[3][1]
        if times[3][0] > 3000:
            break
    found = {name: statistics.median(values) for name, values in kept.items()}
    return {**found, "ratio": statistics.median(
                p / f for p, f in zip(kept["page"], kept["floor"], strict=True)),
            "ratio_after_other": statistics.median(
                p / f for p, f in zip(kept["page_after_other"], kept["floor_after_other"],
                                      strict=True)),
            "status": status, "pairs": len(kept["page"])}


def one_at_a_time(url: str, headers: dict, repeat: int = 5) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` sequential requests after ``WARM`` to warm the
    workers (a request over 3 s is measured once: the first)."""
    warm = max(1, WARM) if repeat else 1
    times, status = [], 0
    for i in range(repeat + warm):
        timed = _timed(url, headers)
        if timed is None:  # cut off
            return PAGE_TIMEOUT * 1000.0, 0
        times.append(timed[0])
        status = timed[1]
        if i == 0 and (times[0] > 3000 or repeat == 0):
            return times[0], status
    return statistics.median(times[warm:]), status


def lua_script(directory: Path, name: str, body: str) -> str:
    path = directory / f"{name}.lua"
    path.write_text(body)
    return str(path)


def post_script(directory: Path) -> str:
    body = json.dumps({"nationality": "KH", "languages": ["km"], "sex": "female",
                       "given_name": "Bench Load", "family_name": "Writer"})
    return lua_script(directory, "create", f"""
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
""")


def patch_script(directory: Path, targets: list) -> str:
    """Each request updates a survivor with its current version (no 409s), also when the
    run sends more requests than there are targets (at 1k): wrk's two threads each take
    every other target, in turn, and each thread reads the new version from every answer
    (``response``), so its next pass sends that one. A thread keeps at most 25 requests in
    flight, far fewer than its targets, so an answer is back before its target comes round
    again."""
    table = ",".join(f"{{{sid},{version}}}" for sid, version in targets)
    return lua_script(directory, "update", f"""
local targets = {{{table}}}
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local mine, version = nil, {{}}
local i = 0
wrk.headers["Content-Type"] = "application/json"
request = function()
  if mine == nil then
    -- each of wrk's 2 threads runs its own copy of this script: its own half of the targets
    mine = {{}}
    for k, t in ipairs(targets) do
      if (k - 1) % 2 == id then
        mine[#mine + 1] = t[1]
        version[t[1]] = t[2]
      end
    end
  end
  i = i + 1
  local sid = mine[((i - 1) % #mine) + 1]
  local body = '{{"version": ' .. version[sid] .. ', "interpreter_needed": true}}'
  return wrk.format("PATCH", "/api/v1/survivors/" .. sid, nil, body)
end
response = function(status, headers, body)
  if status == 200 then
    local sid = tonumber(string.match(body, '"id": *(%d+)'))
    local v = tonumber(string.match(body, '"version": *(%d+)'))
    if sid ~= nil and v ~= nil and version[sid] ~= nil then
      version[sid] = v
    end
  end
end
""")


def api_rows(prep: dict, size: int) -> list[tuple[str, str, str | None]]:
    """(label, path, role) of each API endpoint measured under load."""
    deep = max(1, round(prep["survivors"] / 50 * 0.95))
    return [
        ("`GET /api/v1/me` (token auth alone)", "/api/v1/me", None),
        ("`GET /api/v1/survivors` (page 1)", "/api/v1/survivors?page_size=50", None),
        (f"`GET /api/v1/survivors?page={deep}` (deep)", f"/api/v1/survivors?page_size=50&page={deep}",
         None),
        ("`GET /api/v1/cases`", "/api/v1/cases?page_size=50", None),
        ("`GET /api/v1/survivors/{id}`", f"/api/v1/survivors/{prep['survivor_id']}", None),
        ("`GET /api/v1/cases/{id}`", f"/api/v1/cases/{prep['case_id']}", None),
    ]


def cursor_to_deep_page(base: str, prep: dict, headers: dict) -> str | None:
    """The ``next`` cursor of the page before the deep one (``api_rows``): it names the
    deep page's first row, so ``?cursor=`` answers the same rows as ``?page=N``."""
    deep = max(1, round(prep["survivors"] / 50 * 0.95))
    if deep < 2:
        return None
    url = f"{base}/api/v1/survivors?page_size=50&page={deep - 1}"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),  # noqa: S310
                                timeout=PAGE_TIMEOUT) as answer:
        following = json.loads(answer.read()).get("next")
    return urllib.parse.quote(following, safe="") if following else None


def page_rows(prep: dict) -> list[tuple[str, str, str, str]]:
    """(label, path, how, role): how is "session" (a page) or "token" (an API figure)."""
    return [
        ("caseload page", "/", "session", "caseworker"),
        ("survivor page", f"/survivors/{prep['survivor_id']}/", "session", "caseworker"),
        ("case page", f"/cases/{prep['case_id']}/", "session", "caseworker"),
        ("compensation figures page (researcher)", "/compensation/figures/", "session",
         "researcher"),
        ("`GET /api/v1/pathways/delivery` (researcher)", "/api/v1/pathways/delivery", "token",
         "researcher"),
        ("`GET /api/v1/compensation/figures` (supervisor)", "/api/v1/compensation/figures",
         "token", "supervisor"),
        ("`GET /api/v1/survivors/{id}`", f"/api/v1/survivors/{prep['survivor_id']}", "token",
         "caseworker"),
    ]


@contextlib.contextmanager
def serving(db: str, base: str, auth: dict):
    """Northstar on the bench database, warmed (both workers) by two list requests."""
    with gunicorn("northstar.wsgi:application", NS_PORT, env_for(db), CODE):
        wait_for(f"{base}/api/v1/health")
        for _ in range(2):
            one_at_a_time(f"{base}/api/v1/me", auth["caseworker"], repeat=0)
        yield


def measure_size(size: int, args, results: dict, work: Path) -> None:
    db = ensure_population(size)
    prep = json.loads(subprocess.run([str(BIN / "python"), str(BENCH / "prepare.py")], cwd=ROOT,
                                     env=env_for(db), check=True, capture_output=True,
                                     text=True).stdout)
    base = f"http://127.0.0.1:{NS_PORT}"
    floor_url = f"http://127.0.0.1:{FLOOR_PORT}/records"
    auth = {role: {"Authorization": f"Bearer {raw}"} for role, raw in prep["tokens"].items()}
    cookie = {role: {"Cookie": f"sessionid={key}"} for role, key in prep["sessions"].items()}
    load = {"duration": args.duration, "connections": args.connections}
    pages, paired = {}, {}
    with serving(db, base, auth):
        # One request at a time first, nothing else running.
        floor_ms = one_at_a_time(floor_url, {}, repeat=20)[0]
        for label, path, how, role in ([] if args.api_only else page_rows(prep)):
            headers = cookie[role] if how == "session" else auth[role]
            pages[label] = one_at_a_time(base + path, headers)
            log(f"{size}: {label}: {pages[label][0]:.0f} ms ({pages[label][1]})")
        # Then each page in turns with the floor (the figure not moved by the machine's drift).
        for label, path, how, role in ([] if args.api_only else page_rows(prep)):
            headers = cookie[role] if how == "session" else auth[role]
            paired[label] = found = interleaved(base + path, headers, floor_url)
            if found["status"]:
                log(f"{size}: {label}: interleaved {found['page']:.1f} ms vs floor "
                    f"{found['floor']:.2f} ms, ×{found['ratio']:.1f} ({found['pairs']} pairs); "
                    f"each just after the other kind: {found['page_after_other']:.1f} vs "
                    f"{found['floor_after_other']:.2f} ms, ×{found['ratio_after_other']:.1f}")
        deep_cursor = cursor_to_deep_page(base, prep, auth["caseworker"])
    loaded = {}
    runs = [(label, base + path, None) for label, path, _ in api_rows(prep, size)]
    if deep_cursor:
        # The same depth walked by the ``next`` cursor every page answers (page numbers skip
        # N×50 rows by what they mean; a cursor starts at its row: issue 13's "flat in N").
        runs.insert(3, ("`GET /api/v1/survivors` (deep, by `cursor`)",
                        f"{base}/api/v1/survivors?page_size=50&cursor={deep_cursor}", None))
    runs += [("`POST /api/v1/survivors` (create)", base + "/api/v1/survivors", post_script(work)),
             ("`PATCH /api/v1/survivors/{id}` (update)", base + "/",
              patch_script(work, prep["updates"]))]
    runs = [run for run in runs if any(part in run[0] for part in args.only.split("|"))]
    for label, url, script in runs:
        # A fresh server for each: requests still queued when wrk stops (a slow list at
        # 100k) would otherwise be answered during the next measurement.
        with serving(db, base, auth):
            floor = wrk(floor_url, **load)
            ns = wrk(url, headers=auth["caseworker"], script=script, **load)
        loaded[label] = (ns, floor)
        log(f"{size}: {label}: {ns['rps']:.0f} req/s vs floor {floor['rps']:.0f} "
            f"= {ns['rps'] / floor['rps']:.3f} ({ns['errors']} non-2xx)")
    subprocess.run([str(BIN / "python"), str(BENCH / "prepare.py"), "forget-created",
                    str(prep["last_survivor_id"])], cwd=ROOT, env=env_for(db), check=True)
    results[size] = {"floor_ms": floor_ms, "pages": pages, "paired": paired,
                     "loaded": loaded, "survivors": prep["survivors"]}
    if args.spend if args.spend is not None else not args.api_only:
        results[size]["spend"] = spend(db)


def spend(db: str) -> str:
    """What each request still spends at this size (``bench/spend.py``, on a copy of ``db``
    made while nothing else is connected to it), as its Markdown, or why not."""
    run = subprocess.run([str(BIN / "python"), str(BENCH / "spend.py"), "--db", db,
                          "--samples", os.environ.get("BENCH_SPEND_SAMPLES", "800")],
                         cwd=ROOT, env={**os.environ, "BENCH_VAR_DIR": str(VAR)},
                         capture_output=True, text=True)
    if run.returncode:
        log(f"spend.py on {db} failed:", run.stderr[-2000:])
        return f"not measured: `bench/spend.py --db {db}` failed (exit {run.returncode})"
    return run.stdout.strip()


def import_rate(command: str, size: int) -> str:
    """Records/s of a bulk import command given a CSV of ``size`` survivors (issue 13: ≥ 5,000).

    ``command`` is the manage.py command and its options; ``{csv}`` in it stands for the
    file's path (appended at the end when absent), e.g. ``"import_survivors --org MHF {csv}"``.
    The CSV has the columns given_name, family_name, date_of_birth, sex, nationality."""
    db = f"ns_bench_import_{os.getpid()}"
    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        manage(db, "migrate", "--noinput")
        manage(db, "seed_demo")
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("given_name,family_name,date_of_birth,sex,nationality\n")
            for i in range(size):
                f.write(f"Bench {i},Importer,19{70 + i % 30}-0{1 + i % 9}-1{i % 9},female,KH\n")
        started = time.monotonic()
        words = shlex.split(command)
        words = [w.replace("{csv}", f.name) for w in words] + ([] if "{csv}" in command
                                                                  else [f.name])
        subprocess.run([str(BIN / "python"), "manage.py", *words], cwd=ROOT,
                       env=env_for(db), check=True, stdout=subprocess.DEVNULL)
        return (f"{size / (time.monotonic() - started):,.0f} records/s "
                f"(`manage.py {command}`, {size:,} rows, run as the demo's database owner)")
    except (subprocess.CalledProcessError, OSError) as e:
        return f"not measured: {command} failed ({e})"
    finally:
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# --- report ------------------------------------------------------------------------------
def report(results: dict, args, import_line: str | None) -> str:
    sizes = sorted(results)
    head = " | ".join(f"{s:,}" for s in sizes)
    lines = [f"Scale run of {dt.date.today():%d %b %Y} (PostgreSQL, gunicorn -w 2, "
             f"DB_CONN_MAX_AGE=60, wrk -t2 -c{args.connections} -d{args.duration}; one "
             "organisation holding all the survivors).", "",
             "Under load: requests/s as a ratio of the floor (a bare Django 50-row JSON list) "
             "measured just before; p50 / p99 latency in ms.", "",
             f"| endpoint | {head} |", "|---|" + "---|" * len(sizes)]
    labels = list(results[sizes[0]]["loaded"])
    for label in labels:
        cells = []
        for s in sizes:
            found = next((v for k, v in results[s]["loaded"].items()
                          if k.split("?")[0] == label.split("?")[0]), None)
            if found is None:
                cells.append("–")
                continue
            ns, floor = found
            err = f", {ns['errors']} non-2xx" if ns["errors"] else ""
            p50, p99 = (f"{ns[p]:.0f}" if ns[p] is not None else "?" for p in ("p50", "p99"))
            cells.append(f"{ns['rps'] / floor['rps']:.3f} ({ns['rps']:.0f}/s; "
                         f"{p50}/{p99} ms{err})")
        shown = re.sub(r"page=\d+", "page=…", label)
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    lines += ["", "One request at a time, no load: milliseconds (median of 5 after "
              f"{WARM} warming request{'s' if WARM > 1 else ''}; of 1 when over 3 s), "
              "and × the floor's time (the floor's median of 20 measured once before the "
              "pages: the two moments differ, see the interleaved table below).", "", f"| page or figure | {head} |",
              "|---|" + "---|" * len(sizes),
              "| floor (bare 50-row list) | " + " | ".join(
                  f"{results[s]['floor_ms']:.1f}" for s in sizes) + " |"]
    for label in results[sizes[0]]["pages"] if not args.api_only else ():
        cells = []
        for s in sizes:
            ms, status = results[s]["pages"][label]
            if status == 0:
                cells.append(f"over {ms / 1000:.0f} s (cut off)")
                continue
            bad = "" if status == 200 else f" (HTTP {status})"
            cells.append(f"{ms:,.0f} (×{ms / results[s]['floor_ms']:.0f}){bad}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if not args.api_only and results[sizes[0]].get("paired"):
        lines += ["", "The same, interleaved: floor, floor, page, page … from one client "
                  f"({PAIRS} rounds after {WARM} warming request{'s' if WARM > 1 else ''} of "
                  "the page), each kind timed on its second request (after one of its own "
                  "kind, as above): the page's median ms / the floor's median ms over those "
                  "rounds, and **× = the median of the rounds' ratios** (page / floor of the "
                  "same round; a page over 3 s: one round). In brackets after it, × of the "
                  "first requests (each just after the other kind's).", "",
                  f"| page or figure | {head} |", "|---|" + "---|" * len(sizes)]
        for label in results[sizes[0]]["paired"]:
            cells = []
            for s in sizes:
                found = results[s]["paired"].get(label)
                if found is None:
                    cells.append("–")
                elif found["status"] == 0:
                    cells.append(f"over {found['page'] / 1000:.0f} s (cut off)")
                else:
                    bad = "" if found["status"] == 200 else f" (HTTP {found['status']})"
                    cells.append(f"{found['page']:,.1f} / {found['floor']:.2f} "
                                 f"(×{found['ratio']:.1f}; ×{found['ratio_after_other']:.1f})"
                                 f"{bad}")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if import_line:
        lines += ["", f"Bulk import: {import_line}."]
    for s in sizes:
        if results[s].get("spend"):
            lines += ["", f"What each request still spends at {s:,} survivors "
                      "(`bench/spend.py`):", "", results[s]["spend"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--duration", default=os.environ.get("DUR", "10s"))
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--floor-rows", type=int, default=100000)
    parser.add_argument("--import-command", default=os.environ.get("BENCH_IMPORT", ""),
                        help="a manage.py command (and options) importing a survivor CSV; "
                             "{csv} stands for the file's path")
    parser.add_argument("--import-rows", type=int, default=10000)
    parser.add_argument("--spend", action=argparse.BooleanOptionalAction, default=None,
                        help="after each size, what each request still spends (bench/spend.py "
                             "on a copy; ~10 min a size on a busy machine); on unless --api-only")
    parser.add_argument("--warm", type=int, default=1,
                        help="requests sent before each page is timed one at a time (see WARM)")
    parser.add_argument("--pairs", type=int, default=11,
                        help="rounds (floor, floor, page, page) of the interleaved figures")
    parser.add_argument("--only", default="",
                        help="measure under load only the endpoints whose label holds this text (or one of several separated by |: 'GET /api/v1/survivors/{id}|GET /api/v1/cases/{id}')")
    parser.add_argument("--api-only", action="store_true",
                        help="only the API under load (no page or figure one at a time)")
    args = parser.parse_args()
    global WARM, PAIRS
    WARM = args.warm
    PAIRS = args.pairs
    if not shutil.which("wrk"):
        print("needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2
    try:
        admin().close()
    except Exception as e:  # noqa: BLE001 - any failure to connect means the same thing
        print(f"needs PostgreSQL at {PG} (user postgres): {e}", file=sys.stderr)
        return 2
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    LOGS.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    out = (Path(os.environ["BENCH_OUT"]) if os.environ.get("BENCH_OUT")  # keep earlier runs
           else BENCH / "results" / f"scale-{dt.date.today():%Y-%m-%d}.md")
    out.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work, floor_server(args.floor_rows):
        wait_for(f"http://127.0.0.1:{FLOOR_PORT}/records")
        for size in sizes:
            measure_size(size, args, results, Path(work))
            out.write_text(report(results, args, None))  # what is measured so far survives a crash
    import_line = import_rate(args.import_command, args.import_rows) if args.import_command else None
    text = report(results, args, import_line)
    out.write_text(text)
    print(text)
    log(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
