"""Two application instances behind a round-robin proxy on one PostgreSQL (issue 13).

    .venv/bin/python bench/instances.py [--seconds 10] [--workers 1]

1. builds a throw-away database ``bench_instances`` (migrate, demo data, an API token);
2. starts two gunicorn instances on ports 8101 and 8102 (``--workers`` each, Redis cache
   and sessions in PostgreSQL as docs/deploy.md says) and a tiny round-robin TCP proxy in
   this process on 8100 (a connection goes to the next instance that accepts it);
3. ``wrk`` against one instance, then against the pair through the proxy (and against
   both directly at once, to show what the proxy itself costs): requests per second;
4. a write load (POST /api/v1/survivors, each with a unique name and its own
   ``Idempotency-Key``, through the proxy) while one instance is killed with SIGKILL
   half-way; a request cut off by the kill is sent again with the same key (up to 5
   tries): every 201 answered must be in the database (0 lost), no name may be there
   twice (0 duplicated), and the retried creates are counted;
5. the scheduled jobs submitted by four processes at once, two per instance's settings:
   each period's job must exist once and have run once (0 duplicated job runs).

Prints the figures; nothing is asserted about time. Needs PostgreSQL at 127.0.0.1:5432
(user postgres, trust), Redis at 127.0.0.1:6379, wrk and gunicorn (dev dependency).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "bench_instances"
PORTS = (8101, 8102)
PROXY_PORT = 8100


def env(var_dir: str) -> dict:
    e = dict(os.environ)
    e.update({
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DB}",
        "NORTHSTAR_VAR_DIR": var_dir,  # one set of generated secrets for both instances
        "NORTHSTAR_REDIS_URL": "redis://127.0.0.1:6379/3",
        "NORTHSTAR_CACHE_PREFIX": "bench-instances",
        "NORTHSTAR_JOBS_RUNNER": "inline",  # the bench starts no Celery worker
        "DB_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "northstar.settings",
        "LOG_LEVEL": "ERROR",
    })
    e.pop("NORTHSTAR_DEBUG", None)
    return e


def manage(e: dict, *args: str, quiet: bool = True) -> str:
    out = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=e,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{out.stderr[-2000:]}")
    return out.stdout


def build_database(e: dict) -> tuple[str, int]:
    import psycopg

    with psycopg.connect(ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DB}"')
    manage(e, "migrate", "--noinput")
    manage(e, "seed_demo")
    out = manage(e, "shell", "-c", (
        "from django.contrib.auth import get_user_model as g;"
        "from northstar.core.tokens import issue_token;"
        "from northstar.survivors.models import Survivor;"
        "u = g().objects.get(username='caseworker.th');"
        "print(issue_token(u, name='bench')[1]);"
        "print(Survivor.objects.filter(organisation=u.membership.organisation).first().pk)"))
    token, survivor_id = out.split()[-2:]
    return token, int(survivor_id)


def start_instance(port: int, e: dict, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [GUNICORN, "northstar.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "60", "--log-level", "error"],
        cwd=ROOT, env=e, start_new_session=True,  # its own process group: killed whole
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
            return proc
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"instance on {port} did not start")


def kill9(proc: subprocess.Popen) -> None:
    """As a machine dying: SIGKILL to the master and its workers at once."""
    os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
    proc.wait()


# --- the round-robin proxy ------------------------------------------------------------
class Proxy:
    def __init__(self, port: int, backends: tuple[int, ...]):
        self.port, self.backends, self.next = port, backends, 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: S110 - the other side is gone already
                pass

    async def _client(self, creader, cwriter):
        for _ in range(len(self.backends)):
            port = self.backends[self.next % len(self.backends)]
            self.next += 1
            try:
                breader, bwriter = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue  # that instance is down: the next one
        else:
            cwriter.close()
            return
        await asyncio.gather(self._pipe(creader, bwriter), self._pipe(breader, cwriter))

    def run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port, backlog=512))
        self.ready.set()
        self.server = server
        self.loop.run_forever()

    def start(self):
        threading.Thread(target=self.run, daemon=True).start()
        self.ready.wait()


# --- loads ------------------------------------------------------------------------------
def wrk(url: str, token: str, seconds: int, connections: int = 32) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s",
                          "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"    ({errors.group(1)} non-2xx answers from {url})")
    return rps


def wrk_both(path: str, token: str, seconds: int) -> float:
    results = []
    threads = [threading.Thread(target=lambda p=p: results.append(
        wrk(f"http://127.0.0.1:{p}{path}", token, seconds, 16))) for p in PORTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def write_load(token: str, seconds: float, kill_after: float, victim, clients: int = 8,
               tries: int = 5):
    """POST survivors through the proxy from ``clients`` threads, each create with its own
    ``Idempotency-Key``; SIGKILL ``victim`` after ``kill_after`` seconds. A request cut off
    without an answer (or answered 5xx) is sent again with the same key and body, up to
    ``tries`` times, as a client or load balancer retries. Returns answered {name: id},
    the creates never answered after every try, the error answers, how many answers came
    before the kill, the run's tag, and the retry facts."""
    import http.client
    import uuid

    answered: dict[str, int] = {}
    cut: list[str] = []
    failed: list[tuple[str, int]] = []
    retried: list[str] = []        # creates sent more than once
    replayed: list[str] = []       # ... whose retry got the first answer back (it had committed)
    thrown: dict[str, int] = {}    # first answers thrown away on purpose: name → id
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    run = f"{time.time_ns():x}"

    def send(body: str, key: str):
        conn = http.client.HTTPConnection("127.0.0.1", PROXY_PORT, timeout=30)
        try:
            conn.request("POST", "/api/v1/survivors", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": key})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def client(n: int):
        i = 0
        while time.monotonic() < stop:
            i += 1
            name = f"Bench {run} {n}-{i}"
            body = json.dumps({"given_name": name, "sex": "unknown"})
            key = str(uuid.uuid4())
            response = payload = None
            # One create in ten has its first answer thrown away, as if the connection had
            # died after the commit: its retry must get the same id back, not a new record.
            lose_first = i % 10 == 0
            for attempt in range(tries):
                if attempt:
                    with lock:
                        if attempt == 1:
                            retried.append(name)
                    time.sleep(0.2 * attempt)
                try:
                    response, payload = send(body, key)
                except (OSError, http.client.HTTPException):
                    response = None  # no answer: it may or may not have been written
                    continue
                if lose_first and attempt == 0 and response.status == 201:
                    with lock:
                        thrown[name] = json.loads(payload)["id"]
                    response = None
                    continue
                if response.status < 500:
                    break
            with lock:
                if response is None:
                    cut.append(name)
                elif response.status == 201:
                    answered[name] = json.loads(payload)["id"]
                    if response.getheader("Idempotent-Replayed") == "true":
                        replayed.append(name)
                else:
                    failed.append((name, response.status))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(kill_after)
    kill9(victim)
    killed_at = len(answered)
    for t in threads:
        t.join()
    return answered, cut, failed, killed_at, run, {"retried": retried, "replayed": replayed,
                                                   "thrown": thrown}


def count_in_database(e: dict, run: str) -> dict:
    """Every survivor the run wrote, by its (sealed) name: opened here, counted."""
    out = manage(e, "shell", "-c", (
        "import json, collections;"
        "from northstar.core.fields import reveal;"
        "from northstar.survivors.models import Survivor;"
        "names = [reveal(s.given_name) for s in Survivor.objects.all()];"
        f"names = [n for n in names if n.startswith('Bench {run} ')];"
        "print(json.dumps({'rows': len(names), 'names': dict(collections.Counter(names))}))"))
    return json.loads(out.strip().splitlines()[-1])


def scheduled_from_both(e: dict) -> dict:
    procs = [subprocess.Popen([PY, "manage.py", "run_scheduled"], cwd=ROOT, env=e,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(4)]
    errors = [p.communicate()[1] for p in procs]
    out = manage(e, "shell", "-c", (
        "import json; from django.db.models import Count, Sum;"
        "from northstar.core.models import Job;"
        "print(json.dumps(list(Job.objects.values('key').annotate(n=Count('id'), "
        "runs=Sum('attempts')).order_by('key'))))"))
    return {"jobs": json.loads(out.strip().splitlines()[-1]),
            "failed_processes": sum(1 for p in procs if p.returncode),
            "errors": [x.decode()[-300:] for x in errors if x]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per instance")
    parser.add_argument("--db", default=DB, help="the throw-away database's name")
    args = parser.parse_args()
    globals()["DB"] = args.db
    var_dir = tempfile.mkdtemp(prefix="bench-instances-")
    e = env(var_dir)
    print(f"== {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"{args.workers} gunicorn worker(s) per instance")
    token, survivor_id = build_database(e)
    instances = [start_instance(p, e, args.workers) for p in PORTS]
    proxy = Proxy(PROXY_PORT, PORTS)
    proxy.start()
    try:
        figures = {}
        for label, path in (("health (no database)", "/api/v1/health"),
                            ("survivor detail (audited read)", f"/api/v1/survivors/{survivor_id}")):
            one = wrk(f"http://127.0.0.1:{PORTS[0]}{path}", token, args.seconds)
            pair = wrk(f"http://127.0.0.1:{PROXY_PORT}{path}", token, args.seconds)
            direct = wrk_both(path, token, args.seconds)
            figures[label] = (one, pair, direct)
            print(f"{label}: one instance {one:.0f} req/s; two behind the proxy {pair:.0f} "
                  f"(×{pair / one:.2f}); two, each hit directly {direct:.0f} (×{direct / one:.2f})")

        print("write load: POST /api/v1/survivors through the proxy, instance 1 killed "
              "with SIGKILL half-way")
        answered, cut, failed, killed_at, run, retries = write_load(
            token, seconds=args.seconds, kill_after=args.seconds / 2, victim=instances[0])
        db = count_in_database(e, run)
        lost = [n for n in answered if n not in db["names"]]
        duplicated = [n for n, k in db["names"].items() if k > 1]
        cut_written = sum(1 for n in cut if n in db["names"])
        print(f"  {len(answered)} answered 201 ({killed_at} before the kill), "
              f"{len(cut)} never answered after every retry ({cut_written} of those written), "
              f"{len(failed)} other answers {sorted({s for _, s in failed})}")
        thrown = retries["thrown"]
        same_id = sum(1 for n, i in thrown.items() if answered.get(n) == i)
        killed_retries = [n for n in retries["retried"] if n not in thrown]
        print(f"  retried with the same Idempotency-Key: {len(retries['retried'])} creates: "
              f"{len(killed_retries)} cut off by the kill ({sum(1 for n in killed_retries if n in retries['replayed'])} "
              f"of them written before the cut, answered again), {len(thrown)} whose first 201 "
              f"the client threw away (answer lost after the commit): {same_id} got the same "
              f"id back on the retry")
        print(f"  in the database: {db['rows']} rows; lost writes: {len(lost)}; "
              f"duplicated: {len(duplicated)}")

        jobs = scheduled_from_both(e)
        twice = [j for j in jobs["jobs"] if j["n"] != 1 or j["runs"] != 1]
        print(f"scheduled jobs from four processes at once: {len(jobs['jobs'])} keys "
              f"({', '.join(j['key'] for j in jobs['jobs'])}); duplicated rows or runs: "
              f"{len(twice)}; failed processes: {jobs['failed_processes']}")
        for err in jobs["errors"]:
            print("   ", err.strip().splitlines()[-1] if err.strip() else "")
    finally:
        for proc in instances:
            if proc.poll() is None:
                kill9(proc)


if __name__ == "__main__":
    sys.exit(main())
