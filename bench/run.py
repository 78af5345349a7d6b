"""Page weight and first render of the main pages under emulated slow 3G.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It builds a
throw-away demo database in a temporary ``var`` folder, collects and compresses
the static files, starts the app, and drives Debian's Chromium through
Playwright. For each page it loads a *cold* tab (empty cache, as a first visit
on a cheap phone) with Chromium's network emulation set to slow 3G, and
reports:

- bytes transferred (as the browser received them, gzip included) and the
  100 KB budget;
- first contentful paint and load, in milliseconds, and as a ratio to a minimal
  static page measured in the same run under the same conditions, so figures
  from different machines compare.

It prints figures; it asserts nothing about time (``tests/`` never does).
Exit code 1 only if a page breaks the byte budget.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BUDGET_BYTES = 100 * 1024
#: Chrome DevTools' "Slow 3G" preset: 2 s round trip, ~400 kbit/s each way.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 51200,
           "uploadThroughput": 51200}
BASELINE_HTML = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>baseline</title></head><body><h1>Baseline</h1><p>A minimal static page.</p></body></html>"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not answer")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def app_server(var_dir: Path):
    env = {**os.environ, "NORTHSTAR_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print("· preparing a demo database and compressed static files in", var_dir)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    port = free_port()
    serve_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    proc = subprocess.Popen([PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                            cwd=ROOT, env=serve_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/login/")
        yield url, json.loads((var_dir / "demo-credentials.json").read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def baseline_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - stdlib name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BASELINE_HTML)))
            self.end_headers()
            self.wfile.write(BASELINE_HTML)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def measure(browser, url: str, storage_state=None, network=SLOW_3G) -> dict:
    """One cold load: bytes on the wire, requests, first contentful paint, load."""
    context = browser.new_context(storage_state=storage_state)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", network)
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    response = page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_timeout(200)  # let the last loadingFinished events arrive
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return {fcp: fcp ? fcp.startTime : null, load: nav ? nav.loadEventEnd : null};
    }""")
    result = {"status": response.status if response else None, "bytes": sum(sizes.values()),
              "requests": len(sizes), **timing, "final_url": page.url}
    context.close()
    return result


def log_in(browser, base: str, username: str, password: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#main button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)
    links = {}
    survivor = page.locator("table a[href^='/survivors/']").first
    if survivor.count():
        links["survivor"] = survivor.get_attribute("href")
        page.goto(base + links["survivor"])
        case = page.locator("a[href^='/cases/']").first
        if case.count():
            links["case"] = case.get_attribute("href")
    state = context.storage_state()
    context.close()
    return state, links


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", default="caseworker.th")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"No Chromium at {CHROMIUM}; install it (apt-get install chromium).")
        return 2
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="northstar-bench-") as tmp, \
            app_server(Path(tmp)) as (base, creds), baseline_server() as baseline_url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        state, links = log_in(browser, base, args.user, creds[args.user])
        pages = [("log-in", "/login/", None), ("caseload", "/", state),
                 ("caseload, filtered", "/?q=MHF&overdue=1", state),
                 ("new intake", "/intake/new/", state)]
        if "survivor" in links:
            pages.append(("survivor page", links["survivor"], state))
        if "case" in links:
            pages.append(("case page", links["case"], state))
        pages.append(("portal sign-in", "/portal/", None))
        print("· measuring under slow 3G (2 s RTT, 400 kbit/s), cold cache, one tab each")
        base_m = measure(browser, baseline_url)
        rows = []
        for name, path, st in pages:
            rows.append((name, path, measure(browser, base + path, st)))
        browser.close()

    def ratio(value, ref):
        return f"{value / ref:5.2f}×" if value and ref else "   — "

    print()
    print(f"{'page':22} {'status':>6} {'reqs':>4} {'KB':>7} {'budget':>7} "
          f"{'FCP ms':>8} {'×base':>6} {'load ms':>8} {'×base':>6}")
    print(f"{'baseline static page':22} {base_m['status']!s:>6} {base_m['requests']:>4} "
          f"{base_m['bytes'] / 1024:7.1f} {'':>7} {base_m['fcp'] or 0:8.0f} {'1.00×':>6} "
          f"{base_m['load'] or 0:8.0f} {'1.00×':>6}")
    over = []
    for name, _path, m in rows:
        ok = m["bytes"] <= BUDGET_BYTES
        if not ok:
            over.append(name)
        print(f"{name:22} {m['status']!s:>6} {m['requests']:>4} {m['bytes'] / 1024:7.1f} "
              f"{'ok' if ok else 'OVER':>7} {m['fcp'] or 0:8.0f} {ratio(m['fcp'], base_m['fcp']):>6} "
              f"{m['load'] or 0:8.0f} {ratio(m['load'], base_m['load']):>6}")
    print(f"\nBudget: {BUDGET_BYTES // 1024} KB transferred per page on first load "
          "(HTML + CSS + JS, as received).")
    if over:
        print("OVER BUDGET:", ", ".join(over))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
