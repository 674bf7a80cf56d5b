"""A burst of wrong logins against a served API (issue 15): memory and latency stay bounded.

Starts `dossier serve` on SQLite in a temporary folder, creates one account, then sends N
concurrent wrong-password logins (each with its own login form token and cookie) and prints the
server's resident memory before and at its peak, the answers by status and the latencies.

    .venv/bin/python bench/bench_login_burst.py [N]
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent.parent
DOSSIER = str(Path(sys.executable).parent / "dossier")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(n: int = 40) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DOSSIER_DATA_DIR": tmp, "DOSSIER_DATABASE_URL": "", "DOSSIER_STORAGE_URL": "",
               "DOSSIER_BROKER_URL": "", "DOSSIER_NEW_PASSWORD": "correct horse 1"}
        subprocess.run([DOSSIER, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([DOSSIER, "user", "add", "unit1", "--role", "unit", "--organisation", "某局"], env=env,
                       check=True, capture_output=True)
        port = 18000 + os.getpid() % 1000
        server = subprocess.Popen([DOSSIER, "serve", "--port", str(port)], env=env, cwd=HERE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.5)
            clients = []
            for _ in range(n):
                c = httpx.Client(base_url=base, timeout=60)
                token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
                clients.append((c, token))
            before, peak, done = rss_mib(server.pid), 0.0, threading.Event()

            def watch() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss_mib(server.pid))
                    time.sleep(0.05)
            threading.Thread(target=watch, daemon=True).start()
            results: list[tuple[int, float]] = []

            def attempt(c: httpx.Client, token: str) -> None:
                t = time.monotonic()
                r = c.post("/login", data={"username": "unit1", "password": "wrong", "csrf_token": token})
                results.append((r.status_code, time.monotonic() - t))
            threads = [threading.Thread(target=attempt, args=ct) for ct in clients]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - started
            done.set()
            lat = sorted(s for _, s in results)
            print(f"{n} concurrent wrong logins in {wall:.2f} s: {dict(Counter(c for c, _ in results))}")
            print(f"latency median {statistics.median(lat):.3f} s, max {lat[-1]:.3f} s")
            print(f"server RSS {before:.0f} MiB before, {peak:.0f} MiB at peak")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
