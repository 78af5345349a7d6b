"""What each request still spends (issue 13's notes), measured: CPU by category, time waiting
on PostgreSQL and PostgreSQL's own CPU, per request, beside the framework floor.

    .venv/bin/python bench/spend.py --db ns_bench_10000            # on a copy; dropped after
    .venv/bin/python bench/spend.py --db ns_bench_10000 --self-check
    .venv/bin/python bench/spend.py --db ns_bench_100000 --only survivors,case --samples 1000

Requests run in process through the WSGI application, as gunicorn calls it (no test client:
it instruments templates and reconnects signal receivers), with the demo caseworker's token
(pages: a signed-in session) and one kept PostgreSQL connection. A request writes (audit
entries, creates, updates), so the bench database is copied first (``createdb -T``; the
template must be idle, so it is retried) and the copy dropped at the end; ``--in-place`` uses
``--db`` itself, for a database that is already a copy.

For each endpoint, after warming requests, batches of plain and (twice as many) profiled requests
alternate:

- **plain**: CPU (``process_time``) and wall time of each request; the time it was *blocked*
  (wall minus running minus waiting for a core, from ``/proc/thread-self/schedstat``: the
  time spent waiting on PostgreSQL); and the CPU its PostgreSQL backend spent meanwhile
  (``/proc/<backend pid>/schedstat``, nanoseconds; pg_stat_statements is not loaded on this
  server; this counts every statement, the audit pipeline's too). Same machine only.
- **profiled**: CPU-time sampling (``Sampler``: ``ITIMER_PROF``, one sample per kernel tick
  of this process's CPU, until ``--samples``). Each sample's stack gives a *purpose* (the
  innermost of middleware / Django's handler, token auth + membership, policy, audit write,
  serialisation, the view's own code) and a *mechanism* (the innermost of SQL compile, SQL
  execute + fetch, the ORM's query building and model instances, crypto), told apart by
  module boundaries (``KINDS``; middleware by the classes in ``settings.MIDDLEWARE``), not
  by Northstar's function names. ``--method trace`` uses a deterministic ``sys.setprofile``
  hook instead; it slows bytecode-heavy code (Django's compiler) more than C-heavy code,
  so its shares lean that way, which is why sampling is the default.
- **server split** (``--server-requests``): PostgreSQL's CPU by the category of the code that
  waited for it (the backend's CPU clock read at the end of every psycopg wait).

Categories (one per sample, first rule that matches): crypto (core/crypto, core/keys, the
cryptography package) wherever it runs; then **auth + membership**, **policy** and **audit
write** *whole*, their own SQL included (what issue 13 asks to see); then the SQL compile,
SQL execute + fetch and ORM work left (the view's and the templates' queries); then
serialisation (Ninja, pydantic, JSON, templates, forms), the view's own Python, middleware +
handler (URL resolving and request signals included); the rest is "other". A category's
milliseconds are its share of the samples times the plain requests' CPU; ``--self-check``
asserts that the samples add up to the CPU of the requests they were taken in, within 5 %.

The "cost" compared with the floor is client CPU + server CPU (the same cores serve both
under ``wrk``); gunicorn's own per-request work, the same for both, is left out, so the
ratios under load sit a little closer to 1 than these.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import itertools
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
VAR = Path(os.environ.get("BENCH_VAR_DIR") or ROOT / "var" / "bench")
FLOOR_DB = os.environ.get("FLOOR_DB", "ns_floor")
FLOOR_ROWS = 100000

#: The flat categories, in the order of the tables.
CATEGORIES = ["middleware + handler", "auth + membership", "policy", "audit write",
              "SQL compile", "SQL execute + fetch", "ORM build", "crypto", "serialisation",
              "view's own Python", "other"]
SHORT = {"middleware + handler": "mw", "auth + membership": "auth", "policy": "policy",
         "audit write": "audit", "SQL compile": "compile", "SQL execute + fetch": "execute",
         "ORM build": "ORM", "crypto": "crypto", "serialisation": "serial.",
         "view's own Python": "view", "other": "other"}


def log(*args) -> None:
    print("·", *args, file=sys.stderr, flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- what a frame is: module boundaries ---------------------------------------------------
#: (path fragment, purpose, mechanism). Paths are matched with "/" separators, relative to
#: site-packages or the checkout; the first fragment that matches wins, so the specific come
#: first. ``app`` is Northstar's (or the floor's) own code: the view's, unless it runs under
#: auth, policy, audit or a middleware.
KINDS = [
    # mechanisms
    ("northstar/core/crypto.py", None, "crypto"), ("northstar/core/keys.py", None, "crypto"),
    ("cryptography/", None, "crypto"),
    ("django/db/models/sql/compiler.py", None, "compile"),  # split by name below
    ("django/db/backends/base/operations.py", None, None),
    ("django/db/backends/postgresql/operations.py", None, None),
    ("django/db/backends/sqlite3/operations.py", None, None),
    ("django/db/backends/", None, "execute"), ("django/db/transaction.py", None, "execute"),
    ("psycopg/", None, "execute"), ("psycopg_binary/", None, "execute"),
    ("psycopg_pool/", None, "execute"),
    ("django/db/models/", None, "orm"), ("northstar/core/prepared.py", None, "orm"),
    # purposes
    ("northstar/core/audit.py", "audit", None), ("northstar/core/chain.py", "audit", None),
    ("northstar/core/unusual_reads.py", "audit", None),
    ("northstar/core/auditparts.py", "audit", None),
    ("northstar/policy.py", "policy", None), ("northstar/referrals/access.py", "policy", None),
    ("northstar/core/tokens.py", "auth", None), ("northstar/core/actor.py", "auth", None),
    # a view's sign-in decorator wraps the whole view: not a marker (the user it loads is auth)
    ("django/contrib/auth/decorators.py", None, None), ("django/contrib/auth/mixins.py", None, None),
    ("django_otp/decorators.py", None, None),
    ("ninja/security/", "auth", None), ("django/contrib/auth/", "auth", None),
    ("django/contrib/sessions/", "auth", None), ("django_otp/", "auth", None),
    ("ninja/", "serialisation", None), ("pydantic/", "serialisation", None),
    ("pydantic_core/", "serialisation", None), ("json/", "serialisation", None),
    ("django/template/", "serialisation", None), ("django/templatetags/", "serialisation", None),
    ("django/forms/", "serialisation", None), ("django/http/response.py", "serialisation", None),
    ("django/core/serializers/", "serialisation", None), ("/templatetags/", "serialisation", None),
    ("django/core/handlers/", "handler", None), ("django/urls/", "handler", None),
    ("django/dispatch/", "handler", None),
    ("northstar/", "app", None), ("bench/floor/floorapp.py", "app", None),
]
#: Functions of Django's compiler that run SQL and convert what it returns (the rest compile).
EXECUTE_IN_COMPILER = {"execute_sql", "results_iter", "apply_converters", "get_converters",
                       "has_results", "_fetch_all", "returning_fields_to_tuples"}
#: The "auth" classes in northstar/api.py (the rest of that module maps errors: serialisation).
AUTH_CLASSES = ("TokenAuth", "SessionAuth")
WHOLE = ("auth", "policy", "audit")


def middleware_codes() -> set:
    """Code objects of the methods of every class in ``settings.MIDDLEWARE`` (and their
    bases'), found from the settings, so a middleware added or renamed is still one."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    codes = set()
    for dotted in getattr(settings, "MIDDLEWARE", []):
        for klass in import_string(dotted).__mro__:
            if klass is object:
                continue
            for value in vars(klass).values():
                func = getattr(value, "__func__", value)
                func = getattr(func, "fget", func)
                code = getattr(func, "__code__", None)
                if code is not None:
                    codes.add(code)
    return codes


class Classifier:
    """The (purpose, mechanism) a code object marks, worked out once per code object."""

    def __init__(self, middleware: set):
        self.middleware = middleware
        self.prefixes = [p for p in {sysconfig.get_paths()["purelib"],
                                     sysconfig.get_paths()["platlib"], str(ROOT)} if p]
        self.cache: dict = {}

    def __call__(self, code):
        kind = self.cache.get(code)
        if kind is None:
            kind = self.cache[code] = self.classify(code)
        return kind

    def classify(self, code):
        if code in self.middleware:
            return ("middleware", None)
        path = code.co_filename.replace(os.sep, "/")
        for prefix in self.prefixes:
            if path.startswith(prefix):
                path = path[len(prefix):]
                break
        path = "/" + path.lstrip("/")
        if path.endswith("/northstar/api.py"):
            qual = code.co_qualname
            return ("auth" if qual.startswith(AUTH_CLASSES) else "serialisation", None)
        if path.endswith("/json/__init__.py") or "/json/" in path:
            return ("serialisation", None)
        for fragment, purpose, mechanism in KINDS:
            if fragment in path:
                if mechanism == "compile" and code.co_name in EXECUTE_IN_COMPILER:
                    mechanism = "execute"
                if purpose is None and mechanism is None:
                    return False
                return (purpose, mechanism)
        return False


def next_purpose(current, kind):
    if kind is None:
        return current
    if kind in WHOLE:
        return kind
    if current in WHOLE:
        return current
    if kind == "app":
        return "view" if current in (None, "handler", "serialisation", "view") else current
    if kind == "serialisation":
        return kind if current in (None, "handler", "serialisation", "view") else current
    # middleware, handler: Django's request path, not a reverse() or a signal in a view
    return kind if current in (None, "handler", "middleware") else current


def next_mechanism(current, kind):
    if kind is None or current == "crypto":
        return current
    if kind in ("crypto", "compile"):
        return kind
    if kind == "execute":
        return "compile" if current == "compile" else "execute"
    return current if current in ("compile", "execute") else "orm"  # orm


def category(purpose, mechanism) -> str:
    if mechanism == "crypto":
        return "crypto"
    if purpose in WHOLE:
        return {"auth": "auth + membership", "policy": "policy", "audit": "audit write"}[purpose]
    if mechanism is not None:
        return {"compile": "SQL compile", "execute": "SQL execute + fetch",
                "orm": "ORM build"}[mechanism]
    return {"serialisation": "serialisation", "view": "view's own Python",
            "middleware": "middleware + handler", "handler": "middleware + handler"}.get(
        purpose, "other")


class Spend:
    """A ``sys.setprofile`` hook charging CPU and wall time to (purpose, mechanism) pairs.

    Clocks are read only when the pair changes, after the bookkeeping for the next interval,
    so the hook's work at a change is not charged. What every event still costs (the
    interpreter calling the hook, the hook's test) is charged to the pair it happens in; the
    events are counted per pair (Python calls, C calls). ``--method trace`` only: its shares
    lean towards bytecode-heavy code (see ``Sampler``); its call counts do not depend on load."""

    def __init__(self, classify):
        self.classify = classify
        self.buckets: dict = {}  # (purpose, mechanism) -> [cpu s, wall s, calls, c calls]
        self.stack: list = []  # (frame, previous pair)
        self.pair = (None, None)
        self.calls = self.c_calls = 0
        self.cpu = self.wall = 0.0
        self.hook = self._make_hook()

    def _make_hook(self):
        stack, classify, switch = self.stack, self.classify, self._switch

        def hook(frame, event, arg):
            if event == "call":
                self.calls += 1
                kind = classify(frame.f_code)
                if kind:
                    pair = self.pair
                    new = (next_purpose(pair[0], kind[0]), next_mechanism(pair[1], kind[1]))
                    stack.append((frame, pair))
                    if new != pair:
                        switch(new)
            elif event == "return":
                if stack and stack[-1][0] is frame:
                    previous = stack.pop()[1]
                    if previous != self.pair:
                        switch(previous)
            elif event == "c_call":
                self.c_calls += 1

        return hook

    def _switch(self, new) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        bucket = self.buckets.get(self.pair)
        if bucket is None:
            bucket = self.buckets[self.pair] = [0.0, 0.0, 0, 0]
        bucket[0] += cpu - self.cpu
        bucket[1] += wall - self.wall
        bucket[2] += self.calls
        bucket[3] += self.c_calls
        self.calls = self.c_calls = 0
        self.pair = new
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    @contextlib.contextmanager
    def running(self):
        self.stack.clear()
        self.pair, self.calls, self.c_calls = (None, None), 0, 0
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        sys.setprofile(self.hook)
        try:
            yield
        finally:
            sys.setprofile(None)
            self._switch((None, None))


def pair_of(frame, classify) -> tuple:
    """The (purpose, mechanism) of a moment: the markers on the stack, outermost first."""
    codes = []
    while frame is not None:
        codes.append(frame.f_code)
        frame = frame.f_back
    pair = (None, None)
    for code in reversed(codes):
        kind = classify(code)
        if kind:
            pair = (next_purpose(pair[0], kind[0]), next_mechanism(pair[1], kind[1]))
    return pair


class Sampler:
    """CPU-time sampling: ``ITIMER_PROF`` fires after each interval of this process's CPU
    (at the kernel's tick, ~4 ms here), and the handler files the sample under the pair of
    the stack it interrupted. Nothing runs between samples, so nothing is slowed unevenly
    (``sys.setprofile`` puts the interpreter in its tracing mode, which slows
    bytecode-heavy code such as Django's compiler far more than C-heavy code); the price is
    statistical error, so every row is sampled until it has ``--samples`` samples.

    A Python signal handler runs at the next bytecode boundary: time in a C function (psycopg's
    parsing, AES-GCM) is filed under the Python frame that called it, which is its category."""

    def __init__(self, classify):
        self.classify = classify
        self.buckets: dict = {}  # pair -> [samples]
        self.inside = self.outside = 0
        self.in_request = False

    def handler(self, signum, frame) -> None:
        if not self.in_request:
            self.outside += 1
            return
        self.inside += 1
        pair = pair_of(frame, self.classify)
        bucket = self.buckets.get(pair)
        if bucket is None:
            self.buckets[pair] = [1]
        else:
            bucket[0] += 1

    @contextlib.contextmanager
    def sampling(self):
        import signal

        previous = signal.signal(signal.SIGPROF, self.handler)
        signal.siginterrupt(signal.SIGPROF, False)  # a blocked read is resumed, not failed
        signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            signal.signal(signal.SIGPROF, previous)

    @contextlib.contextmanager
    def request(self):
        self.in_request = True
        try:
            yield
        finally:
            self.in_request = False


# --- requests -----------------------------------------------------------------------------
def wsgi_call(app, method: str, path: str, headers: dict, body: bytes = b"") -> int:
    """One request through the WSGI application, as gunicorn makes it (response closed, so
    ``request_finished`` runs)."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        **headers}
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["CONTENT_TYPE"] = "application/json"
    status = []
    result = app(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        for _ in result:
            pass
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(status[0].split()[0])


def backend_ns(pid: int | None) -> int | None:
    """CPU nanoseconds the PostgreSQL backend ``pid`` has run (same machine only)."""
    if pid is None:
        return None
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def backend_pid(connection) -> int | None:
    connection.ensure_connection()
    info = getattr(connection.connection, "info", None)
    return getattr(info, "backend_pid", None)


def own_schedstat() -> tuple[int, int]:
    """This process's (ns on a CPU, ns waiting for one) from the kernel."""
    run, queued = Path("/proc/thread-self/schedstat").read_text().split()[:2]
    return int(run), int(queued)


def backend_clock(pid: int):
    """A reader of the CPU nanoseconds of the backend ``pid`` so far, its running slice
    included (the process CPU clock of another process: ``clock_getcpuclockid``'s value,
    which Python does not expose), or None off this machine."""
    clock = ((~pid) << 3) | 2  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    try:
        time.clock_gettime_ns(clock)
    except OSError:
        return None
    return lambda: time.clock_gettime_ns(clock)


def server_split(connection, request, *, requests: int, classify) -> dict:
    """PostgreSQL's CPU per request by the category of the code that waited for it (ms),
    over ``requests`` requests. Every wait of psycopg for the server (a statement, a COMMIT,
    a pipeline's sync) ends a window; the backend's CPU since the previous window is filed
    under the category of the code that waits, so the audit's pipelined statements count as
    the audit's. What the backend spends after the request's last answer is "after the last
    answer". (Wraps ``psycopg.Connection.wait`` in this process while it runs.)"""
    import psycopg

    pid = backend_pid(connection)
    read = backend_clock(pid) if pid else None
    if read is None:
        return {}
    by: dict = {}
    last = [0]
    original = psycopg.Connection.wait

    def wait(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        finally:
            now = read()
            key = category(*pair_of(sys._getframe(1), classify))
            by[key] = by.get(key, 0) + now - last[0]
            last[0] = now

    counted = 0
    psycopg.Connection.wait = wait
    try:
        for _ in range(requests):
            last[0] = read()
            request()
            by["after the last answer"] = by.get("after the last answer", 0) + read() - last[0]
            counted += 1
            if backend_pid(connection) != pid:
                return {}
    finally:
        psycopg.Connection.wait = original
    return {k: v / counted / 1e6 for k, v in by.items()}


def measure(connection, request, *, args, classify) -> dict:
    """Plain and profiled batches of ``request()`` alternated; per-request figures in ms.

    Plain: CPU, wall, the backend's CPU, and the time *blocked* (neither running nor waiting
    for a core: waiting on PostgreSQL, the only thing a request waits on). Profiled: the
    samples (or, with ``--method trace``, the traced CPU) of each (purpose, mechanism)."""
    from django.test.utils import CaptureQueriesContext

    statuses: dict = {}

    def counted() -> None:
        s = request()
        statuses[s] = statuses.get(s, 0) + 1

    for _ in range(3):
        counted()
    with CaptureQueriesContext(connection) as ctx:
        request()
    queries = len(ctx.captured_queries)
    plain = {"cpu": 0.0, "wall": 0.0, "blocked": 0.0, "server": 0.0, "n": 0, "server_n": 0}
    profiler = Sampler(classify) if args.method == "sample" else Spend(classify)
    profiled = {"n": 0, "cpu": 0.0, "span": 0.0}
    while True:
        for _ in range(max(1, args.batch // 2)):  # means need fewer requests than shares
            pid = backend_pid(connection)
            b0, (r0, q0) = backend_ns(pid), own_schedstat()
            c0, w0 = time.process_time(), time.perf_counter()
            counted()
            c1, w1 = time.process_time(), time.perf_counter()
            (r1, q1), b1 = own_schedstat(), backend_ns(pid)
            plain["cpu"] += c1 - c0
            plain["wall"] += w1 - w0
            plain["blocked"] += max(0.0, (w1 - w0) - ((r1 - r0) + (q1 - q0)) / 1e9)
            plain["n"] += 1
            if b0 is not None and b1 is not None and backend_pid(connection) == pid:
                plain["server"] += (b1 - b0) / 1e9
                plain["server_n"] += 1
        if args.method == "sample":
            span = time.process_time()
            with profiler.sampling():
                for _ in range(args.batch):
                    c0 = time.process_time()
                    with profiler.request():
                        counted()
                    profiled["cpu"] += time.process_time() - c0
            profiled["span"] += time.process_time() - span
        else:
            for _ in range(args.batch):
                with profiler.running():
                    counted()
        profiled["n"] += args.batch
        enough = (profiler.inside >= args.samples if args.method == "sample"
                  else profiled["n"] >= args.repeat)
        if (enough and plain["n"] >= args.repeat) or profiled["n"] >= args.max_requests:
            break
    n = plain["n"]
    server_by = (server_split(connection, request, requests=args.server_requests,
                              classify=classify) if args.server_requests else {})
    row = {
        "server_by": server_by,
        "cpu": plain["cpu"] / n * 1000, "wall": plain["wall"] / n * 1000,
        "blocked": plain["blocked"] / n * 1000,
        "server": (plain["server"] / plain["server_n"] * 1000) if plain["server_n"] else None,
        "buckets": [[purpose, mechanism, *values]
                    for (purpose, mechanism), values in profiler.buckets.items()],
        "queries": queries, "statuses": {str(k): v for k, v in statuses.items()},
        "requests": n, "method": args.method,
    }
    if args.method == "sample":
        # CPU per sample, from everything sampled (between requests too), and so the CPU
        # the samples taken inside requests stand for, against what those requests used.
        per_sample = profiled["span"] / max(1, profiler.inside + profiler.outside)
        row.update(samples=profiler.inside, sampled_cpu=profiled["cpu"] / profiled["n"] * 1000,
                   samples_stand_for=profiler.inside * per_sample / profiled["n"] * 1000)
    else:
        row.update(calls=sum(v[2] for v in profiler.buckets.values()) / profiled["n"],
                   c_calls=sum(v[3] for v in profiler.buckets.values()) / profiled["n"])
    return row


def attribute(row: dict) -> None:
    """The row's categories and mechanism totals in ms per request: each pair's share of the
    samples (or of the traced CPU) times the plain requests' CPU."""
    weight = {(p, m): values[0] for p, m, *values in row["buckets"]}
    total = sum(weight.values()) or 1
    row["categories"] = {c: 0.0 for c in CATEGORIES}
    row["mechanisms"] = {"compile": 0.0, "execute": 0.0, "orm": 0.0, "crypto": 0.0}
    for (purpose, mechanism), w in weight.items():
        ms = w / total * row["cpu"]
        row["categories"][category(purpose, mechanism)] += ms
        if mechanism in row["mechanisms"]:
            row["mechanisms"][mechanism] += ms


# --- the two sides: Northstar and the floor (separate processes: two Django settings) ------
def northstar_requests(app, only: set | None) -> list:
    """(label, request function) of every endpoint measured on Northstar."""
    from django.contrib.auth import get_user_model

    sys.path.insert(0, str(BENCH))
    from prepare import session_for  # bench/prepare.py: a signed-in session, as scale.py

    from northstar.core.tokens import issue_token
    from northstar.survivors.models import Case, Survivor

    user = get_user_model().objects.get(username=os.environ.get("BENCH_USER", "caseworker.th"))
    org = user.membership.organisation
    _, raw = issue_token(user, name="spend", days=1)
    token = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    cookie = {"HTTP_COOKIE": f"sessionid={session_for(user)}"}
    mine = Survivor.objects.filter(organisation=org, archived_at__isnull=True)
    count = mine.count()
    survivor = mine.order_by("-created_at", "-id")[10]
    case = Case.objects.filter(survivor__organisation=org, archived_at__isnull=True).order_by(
        "-created_at", "-id").first()
    deep = max(1, round(count / 50 * 0.95))
    body = json.dumps({"nationality": "KH", "languages": ["km"], "sex": "female",
                       "given_name": "Bench Load", "family_name": "Writer"}).encode()
    versions = dict(mine.order_by("id").values_list("id", "version")[:20000])
    targets = itertools.cycle(list(versions))

    def get(path, headers=token):
        return lambda: wsgi_call(app, "GET", path, headers)

    def update():
        """The target's current version is known from the last answer (an update makes the
        next one), as ``scale.py``'s wrk script knows it: no query of the bench's own is
        counted in the request (it was one of the 8, and its CPU, before)."""
        sid = next(targets)
        status = wsgi_call(app, "PATCH", f"/api/v1/survivors/{sid}", token, json.dumps(
            {"version": versions[sid], "interpreter_needed": True}).encode())
        if status == 200:
            versions[sid] += 1
        return status

    rows = [
        ("me", "`GET /api/v1/me`", get("/api/v1/me")),
        ("survivors", "`GET /api/v1/survivors` (page 1)", get("/api/v1/survivors?page_size=50")),
        ("deep", f"`GET /api/v1/survivors?page={deep}`",
         get(f"/api/v1/survivors?page_size=50&page={deep}")),
        ("cases", "`GET /api/v1/cases`", get("/api/v1/cases?page_size=50")),
        ("survivor", "`GET /api/v1/survivors/{id}`", get(f"/api/v1/survivors/{survivor.pk}")),
        ("case", "`GET /api/v1/cases/{id}`", get(f"/api/v1/cases/{case.pk}")),
        ("create", "`POST /api/v1/survivors`",
         lambda: wsgi_call(app, "POST", "/api/v1/survivors", token, body)),
        ("update", "`PATCH /api/v1/survivors/{id}`", update),
        ("caseload", "caseload page", get("/", cookie)),
        ("casepage", "case page", get(f"/cases/{case.pk}/", cookie)),
        ("survivorpage", "survivor page", get(f"/survivors/{survivor.pk}/", cookie)),
    ]
    return [r for r in rows if only is None or r[0] in only], count


def floor_requests(app) -> list:
    """The floor's list and detail, always both: every row is compared with one of them."""
    from floorapp import Record

    pk = Record.objects.filter(org_id=1).order_by("id").values_list("id", flat=True)[25]
    rows = [("floor", "floor: `GET /records` (50 rows)",
             lambda: wsgi_call(app, "GET", "/records", {})),
            ("floordetail", "floor: `GET /records/{id}`",
             lambda: wsgi_call(app, "GET", f"/records/{pk}", {}))]
    return rows


def child(side: str, args) -> None:
    """Runs in its own process: sets Django up for ``side`` and prints the results as JSON."""
    if side == "floor":
        os.environ["DJANGO_SETTINGS_MODULE"] = "floorapp"
        sys.path.insert(0, str(BENCH / "floor"))
        import floorapp

        app = floorapp.application
        from django.db import connection
        rows = floor_requests(app)
        size = None
        # A floor request is ~1 ms of CPU, and short requests get few samples (one per
        # 5-15 ms of CPU on a busy machine): ten times the requests for a usable split.
        args.max_requests *= 10
    else:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")
        from django.db import connection

        from northstar.wsgi import application as app
        rows, size = northstar_requests(app, args.only)
    classify = Classifier(middleware_codes())
    out = {"survivors": size, "rows": []}
    for key, label, request in rows:
        result = measure(connection, request, args=args, classify=classify)
        result.update(key=key, label=label, load=loadavg())
        out["rows"].append(result)
        log(f"{side}: {label}: {result['cpu']:.2f} ms CPU, server "
            f"{result['server'] or 0:.2f} ms, blocked {result['blocked']:.2f} ms, "
            f"{result['requests']} requests, {result.get('samples', '–')} samples, "
            f"{result['queries']} queries, {result['statuses']} (load {result['load']})")
    print(json.dumps(out))


# --- the parent: copies, runs both sides, writes the report -------------------------------
def admin():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def copy_database(template: str) -> str:
    """A copy of ``template`` (which must be idle: retried for a minute)."""
    name = f"ns_spend_{template.removeprefix('ns_bench_')}_{os.getpid()}"
    for attempt in range(30):
        try:
            with admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return name
        except Exception as e:  # noqa: BLE001 - "source database is being accessed by other users"
            if "being accessed" not in str(e) or attempt == 29:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def ensure_floor() -> None:
    """The floor's table of 100,000 rows (as ``bench/scale.py`` makes it; reused)."""
    with admin() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", [FLOOR_DB]).fetchone()
        if row is None:
            conn.execute(f'CREATE DATABASE "{FLOOR_DB}"')
    if row is None or row[0] != f"floor rows={FLOOR_ROWS}":
        env = {**os.environ, "FLOOR_DB": FLOOR_DB, "PYTHONPATH": str(BENCH / "floor")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run([sys.executable, "floorapp.py", "seed", str(FLOOR_ROWS)],
                       cwd=BENCH / "floor", env=env, check=True, stdout=subprocess.DEVNULL)
        with admin() as conn:
            conn.execute(f"COMMENT ON DATABASE \"{FLOOR_DB}\" IS 'floor rows={FLOOR_ROWS}'")


def run_side(side: str, db: str | None, args) -> dict:
    env = {**os.environ, "DB_CONN_MAX_AGE": "3600", "PYTHONPATH": str(ROOT),
           "NORTHSTAR_VAR_DIR": str(VAR), "FLOOR_DB": FLOOR_DB}
    env.pop("NORTHSTAR_TEST_DB_NAME", None)
    if side == "northstar":
        env.update(DATABASE_URL=f"{PG}/{db}", DJANGO_SETTINGS_MODULE="bench.scale_settings")
    else:
        env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side,
           "--repeat", str(args.repeat), "--batch", str(args.batch), "--samples",
           str(args.samples), "--max-requests", str(args.max_requests), "--method", args.method,
           "--server-requests", str(args.server_requests)]
    if args.only:
        cmd += ["--only", ",".join(sorted(args.only))]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cost(row: dict) -> float:
    return row["cpu"] + (row["server"] or 0.0)


def reference(results: dict, row: dict) -> dict | None:
    """The floor's row a row is compared with: its detail for a detail read, else its list."""
    floor = {r["key"]: r for r in results["floor"]["rows"]}
    detail = row["key"] in ("survivor", "case", "floordetail")
    return floor.get("floordetail" if detail else "floor")


#: (what the issue asks of a row, the budget as a function of the floor's cost)
TARGETS = {"caseload": ("10× the floor", lambda f: f * 10),
           "casepage": ("10× the floor", lambda f: f * 10),
           "survivorpage": ("10× the floor", lambda f: f * 10),
           "create": ("0.3 of the floor", lambda f: f / 0.3),
           "update": ("0.3 of the floor", lambda f: f / 0.3)}


def report(db: str, results: dict, args, started: str) -> str:
    rows = results["northstar"]["rows"]
    size = results["northstar"]["survivors"]
    how = ("CPU-time sampling (`ITIMER_PROF`, one sample per kernel tick of this process's "
           f"CPU; at least {args.samples:,} samples a row)" if args.method == "sample" else
           "a `sys.setprofile` trace (shares lean towards bytecode-heavy code)")
    lines = [
        f"`bench/spend.py --db {db}` ({size:,} survivors in the bench organisation), "
        f"{started}. In process through the WSGI application, one kept connection, the "
        "demo caseworker's token (pages: a signed-in session); batches of "
        f"{max(1, args.batch // 2)} plain and {args.batch} profiled requests alternated (at "
        f"least {args.repeat} plain a row, at most {args.max_requests} profiled); the load "
        "average when each row ended is in its last column.",
        "",
        "Milliseconds per request. *CPU*: the plain requests' own CPU (`process_time`), split "
        f"into the categories by {how}. *blocked*: wall time neither running nor waiting for a "
        "core (`/proc/thread-self/schedstat`), i.e. waiting on PostgreSQL; *server*: the "
        "PostgreSQL backend's CPU (`/proc/<pid>/schedstat`; pg_stat_statements is not loaded "
        "on this server). *ratio*: the floor's (CPU + server) ÷ this row's (the floor's detail "
        "for a detail read, else its list): the throughput ratio a CPU-bound machine would "
        "show, gunicorn's own work left out.",
        "",
        "| request | CPU | " + " | ".join(SHORT[c] for c in CATEGORIES)
        + " | blocked | server | queries | ratio | samples | load |",
        "|---|" + "---|" * (len(CATEGORIES) + 7),
    ]
    for row in [*results["floor"]["rows"], *rows]:
        ref = reference(results, row)
        ratio = f"{cost(ref) / cost(row):.2f}" if ref and row["server"] is not None else "–"
        cats = row["categories"]
        server = f"{row['server']:.2f}" if row["server"] is not None else "–"
        lines.append(
            f"| {row['label']} | {row['cpu']:.2f} | "
            + " | ".join(f"{cats[c]:.2f}" for c in CATEGORIES)
            + f" | {row['blocked']:.2f} | {server} | {row['queries']} | {ratio} | "
            f"{row.get('samples', '–')} | {row['load'].split()[0]} |")
    lines += ["", "Mechanisms wherever they run (auth's, policy's and the audit's SQL included), "
              "ms per request; wall time per request one at a time (on this loaded machine):",
              "", "| request | SQL compile | SQL execute + fetch | ORM build | crypto | wall |",
              "|---|---|---|---|---|---|"]
    for row in [*results["floor"]["rows"], *rows]:
        m = row["mechanisms"]
        lines.append(f"| {row['label']} | {m['compile']:.2f} | {m['execute']:.2f} | "
                     f"{m['orm']:.2f} | {m['crypto']:.2f} | {row['wall']:.1f} |")
    server_keys = [c for c in [*CATEGORIES, "after the last answer"]
                   if any(r.get("server_by", {}).get(c, 0) > 0.005 for r in rows)]
    if server_keys:
        lines += ["", "PostgreSQL's CPU per request by the category of the code that waited for "
                  f"it (ms, over {args.server_requests} requests a row; the backend's CPU "
                  "clock read at the end of every psycopg wait):", "",
                  "| request | " + " | ".join(server_keys) + " |",
                  "|---|" + "---|" * len(server_keys)]
        for row in [*results["floor"]["rows"], *rows]:
            by = row.get("server_by", {})
            lines.append(f"| {row['label']} | "
                         + " | ".join(f"{by.get(k, 0):.2f}" for k in server_keys) + " |")
    lines += ["", "Against the issue's targets (cost = CPU + server; budget = the floor's cost "
              "÷ 0.6 for reads, ÷ 0.3 for writes, × 10 for pages, where the page target is "
              "wall time one at a time and CPU stands in for it); the four categories most "
              "above the floor's own:", ""]
    for row in rows:
        ref = reference(results, row)
        if not ref or row["server"] is None:
            continue
        aim, budget_of = TARGETS.get(row["key"], ("0.6 of the floor", lambda f: f / 0.6))
        budget = budget_of(cost(ref))
        gap = cost(row) - budget
        over = sorted(((row["categories"][c] - ref["categories"][c], c) for c in CATEGORIES),
                      reverse=True)
        top = ", ".join(f"{c} +{d:.2f}" for d, c in over[:4] if d > 0.01)
        verdict = (f"**{gap:.2f} ms over** the {budget:.2f} ms of {aim}" if gap > 0
                   else f"within {aim} ({-gap:.2f} ms to spare)")
        lines.append(f"- {row['label']}: {cost(row):.2f} ms, {verdict}; above the floor: "
                     f"{top}; server +{(row['server'] or 0) - (ref['server'] or 0):.2f}.")
    lines += ["", "HTTP statuses: " + "; ".join(f"{r['key']} {r['statuses']}" for r in rows)
              + "."]
    return "\n".join(lines) + "\n"


def self_check(results: dict) -> list[str]:
    """The categories sum to the total within 5 %: the samples taken inside the profiled
    requests, each standing for the CPU one sample stands for over the whole run, add up to
    the CPU those requests used (a blind spot, a sample lost or filed outside a request, or
    too few samples would show here). The categories are those samples' shares of the plain
    requests' CPU, so this is what their sum rests on."""
    problems = []
    for side in ("northstar", "floor"):
        for row in results[side]["rows"]:
            if row["method"] != "sample":
                problems.append(f"{row['label']}: --self-check needs --method sample")
                continue
            stands, used = row["samples_stand_for"], row["sampled_cpu"]
            if abs(stands - used) > 0.05 * used:
                problems.append(f"{row['label']}: the samples stand for {stands:.2f} ms a "
                                f"request, the requests used {used:.2f} ms "
                                f"({(stands / used - 1) * 100:+.1f} %; {row['samples']} samples)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--db", default="ns_bench_10000", help="the bench database (copied)")
    parser.add_argument("--in-place", action="store_true",
                        help="measure --db itself (it is written to): only for a copy")
    parser.add_argument("--repeat", type=int, default=50, help="at least this many plain "
                        "requests per row")
    parser.add_argument("--samples", type=int, default=500, help="sample each row until it "
                        "has this many samples (one per 4-15 ms of CPU, depending on the load)")
    parser.add_argument("--max-requests", type=int, default=1500,
                        help="but profile no more requests than this a row")
    parser.add_argument("--method", choices=["sample", "trace"], default="sample")
    parser.add_argument("--server-requests", type=int, default=30, help="requests a row whose "
                        "PostgreSQL CPU is split by the category that waited for it")
    parser.add_argument("--out", help="the report's path (default bench/results/spend-<db>-"
                        "<date>.md; the raw figures go beside it as .json)")
    parser.add_argument("--batch", type=int, default=20, help="profiled requests per batch "
                        "(a plain batch is half as many)")
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=None,
                        help="keys: me,survivors,deep,cases,survivor,case,create,update,"
                             "caseload,casepage,survivorpage; floor,floordetail")
    parser.add_argument("--self-check", action="store_true",
                        help="fail unless every row's samples add up to the CPU of the "
                             "requests they were taken in, within 5 %%")
    parser.add_argument("--child", choices=["northstar", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args)
        return 0
    started = f"{dt.datetime.now(dt.UTC):%d %b %Y %H:%M} UTC, load {loadavg()}"
    ensure_floor()
    db = args.db if args.in_place else copy_database(args.db)
    try:
        results = {"northstar": run_side("northstar", db, args),
                   "floor": run_side("floor", None, args)}
    finally:
        if not args.in_place:
            with admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    every = [*results["northstar"]["rows"], *results["floor"]["rows"]]
    for row in every:
        attribute(row)
    text = report(args.db, results, args, started)
    out = (Path(args.out) if args.out
           else BENCH / "results" / f"spend-{args.db}-{dt.date.today():%Y-%m-%d}.md")
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    print(text)
    log(f"written to {out}")
    if args.self_check:
        problems = self_check(results)
        for p in problems:
            print("self-check:", p, file=sys.stderr)
        if problems:
            return 1
        print("self-check: every row's samples add up to its CPU within 5 %", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
