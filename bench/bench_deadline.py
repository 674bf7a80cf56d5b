"""The deadline hour, end to end on the production stack.

RabbitMQ, PostgreSQL (a database of its own, dropped afterwards), S3 on moto's server through the
MinIO client, and the real API, relay and one worker per queue, each `dossier …` in a process of
its own.  Submissions are uploaded through the HTTP API — 70 % Word (.docx/.doc/.wps), 30 %
three-page scans or photos, from ../shared/samples — on a schedule: by default 500 over an hour
with a burst of 100 in the first five minutes.  Printed:

- submissions per minute; p50 / p95 / max seconds from upload to the submission being checked
  (its last finding written);
- per step (Celery task): runs and mean seconds, from the workers' own task metrics;
- queue wait against work: mean seconds per submission spent running tasks, and the rest;
- overhead: wall time and task time against the sum of the plain functions' times for the same
  files, run here one after the other: `workers.extraction.extract_file` for every file, and for a
  Word file the print its `packets.print` task makes (LibreOffice's PDF, its values' boxes).

    .venv/bin/python bench/bench_deadline.py --quick                 # 20 submissions, no pacing
    .venv/bin/python bench/bench_deadline.py                         # 500 in an hour (a quiet machine)
    .venv/bin/python bench/bench_deadline.py --submissions 60 --scans-only --ocr-concurrency 1 --ocr-threads 1
    .venv/bin/python bench/bench_deadline.py --submissions 60 --scans-only --ocr-concurrency 2 --ocr-threads 1

Needs RabbitMQ on 127.0.0.1:5672 (guest) and PostgreSQL on 127.0.0.1:5432 (trust); both are
what `.ci/run` starts.  Exit status 0 only when every submission was checked.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SAMPLES = REPO.parent / "shared" / "samples"
PG_ADMIN = os.environ.get("DOSSIER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
AMQP = os.environ.get("DOSSIER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
WORD = ("jinhua_form_inline.docx", "yueyang_app_inline.docx", "jinhua_form_appendix_star3.doc",
        "yueyang_app_sheet_doc.doc", "jinhua_form_wps_fullwidth.wps", "yueyang_sheet_wps.wps")
SCANS = ("jinhua_form_scan.pdf", "yueyang_app_sheet_scan.pdf", "jinhua_form_photo.jpg",
         "yueyang_app_photo.jpg")


@dataclass
class Job:
    n: int
    name: str
    data: bytes
    campaign: str
    at: float                     # seconds after the start to upload
    sid: str = ""
    uploaded: float = 0.0
    done: float = 0.0
    error: str = ""


@dataclass
class Stack:
    env: dict[str, str]
    api: str
    metrics_dirs: dict[str, Path]
    db: str = ""                  # the bench database, read to see what is checked
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def three_pages(pdf: bytes) -> bytes:
    """The first three pages of a scanned PDF: the mix's 'three-page scan'."""
    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(io.BytesIO(pdf)), PdfWriter()
    for page in reader.pages[:3]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_jobs(n: int, minutes: float, burst: int, scans_only: bool, seed: int = 14) -> list[Job]:
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    for name in WORD + SCANS:
        data = (SAMPLES / name).read_bytes()
        files[name] = three_pages(data) if name.endswith(".pdf") else data
    horizon = minutes * 60
    burst = min(burst, n)
    jobs = []
    for i in range(n):
        scan = scans_only or rng.random() < 0.30
        name = rng.choice(SCANS if scan else WORD)
        # the burst in the first twelfth (5 of 60 minutes), the rest spread over what is left
        at = (rng.uniform(0, horizon / 12) if i < burst else rng.uniform(horizon / 12, horizon)) if horizon else 0.0
        jobs.append(Job(i, name, files[name], "yueyang-2017" if name.startswith("yueyang") else "jinhua-2015", at))
    return sorted(jobs, key=lambda j: j.at)


def start_stack(stack: ExitStack, tmp: Path, office: str, ocr_concurrency: int, ocr_threads: int = 0) -> Stack:
    import psycopg
    from moto.server import ThreadedMotoServer

    run = uuid.uuid4().hex[:8]
    db = f"dossier_bench_{run}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{db}"')

    def drop_db() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    stack.callback(drop_db)
    s3_port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)    # moto's request lines
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    moto.start()
    stack.callback(moto.stop)
    db_url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{db}"
    queues = {role: f"bench-{run}-{role}" for role in ("ingest", "extract", "ocr", "packets")}
    metrics = {role: tmp / f"metrics-{role}" for role in queues}
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update({
        "DOSSIER_DATA_DIR": str(tmp / "data"), "DOSSIER_DATABASE_URL": db_url, "DOSSIER_BROKER_URL": AMQP,
        "DOSSIER_STORAGE_URL": f"s3://bench-{run}/objects", "DOSSIER_S3_ENDPOINT": f"127.0.0.1:{s3_port}",
        "DOSSIER_S3_ACCESS_KEY": "test", "DOSSIER_S3_SECRET_KEY": "testsecret", "DOSSIER_S3_SECURE": "false",
        "DOSSIER_S3_REGION": "us-east-1", "DOSSIER_OFFICE_SERVER": office, "DOSSIER_METRICS_PORT": "0",
        **{f"DOSSIER_QUEUE_{r.upper()}": q for r, q in queues.items()},
    })
    api_port = _free_port()
    st = Stack(env, f"http://127.0.0.1:{api_port}", metrics, PG_ADMIN.rsplit("/", 1)[0] + f"/{db}")
    cli = [sys.executable, "-m", "services.cli"]
    subprocess.run([*cli, "migrate"], env=env, cwd=REPO, check=True, capture_output=True, timeout=300)
    logs = tmp / "logs"
    logs.mkdir()

    def spawn(name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        out = open(logs / f"{name}.log", "wb")
        st.procs[name] = subprocess.Popen([*cli, *args], env={**env, **(extra or {})}, cwd=REPO,
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    spawn("api", ["serve", "--host", "127.0.0.1", "--port", str(api_port)])
    spawn("relay", ["relay"])
    conc = {"ingest": 1, "extract": 1, "ocr": ocr_concurrency, "packets": 1}
    for role, q in queues.items():
        extra = {"DOSSIER_METRICS_DIR": str(metrics[role])}
        if role == "ocr" and ocr_threads:
            # each OCR process pinned to its share of the cores (DOSSIER_OCR_THREADS)
            extra["DOSSIER_OCR_THREADS"] = str(ocr_threads)
        spawn(f"worker-{role}", ["worker", "--queues", q, "--concurrency", str(conc[role])], extra)
    stack.callback(stop_all, st)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{st.api}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        raise SystemExit(f"API did not start; see {logs}/api.log")
    return st


def stop_all(st: Stack) -> None:
    import signal
    for proc in st.procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in st.procs.values():
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def upload(client: httpx.Client, job: Job, t0: float) -> None:
    try:
        r = client.post("/api/submissions", json={"campaign": job.campaign, "organisation": f"测试单位{job.n}"})
        r.raise_for_status()
        job.sid = r.json()["id"]
        r = client.post(f"/api/submissions/{job.sid}/files", files={"files": (job.name, job.data)})
        r.raise_for_status()
        job.uploaded = time.monotonic() - t0
    except httpx.HTTPError as e:
        job.error = f"upload: {e}"


def drive(st: Stack, jobs: list[Job], timeout: float) -> float:
    """Upload on schedule, poll until every submission is checked; returns the wall time."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    t0 = time.monotonic()
    pending: list[Job] = []
    lock = threading.Lock()
    with httpx.Client(base_url=st.api, timeout=60) as client, ThreadPoolExecutor(4) as pool:
        def _up(job: Job) -> None:
            upload(client, job, t0)
            with lock:
                pending.append(job)
        for job in jobs:
            pool.submit(lambda j=job: (time.sleep(max(0.0, j.at - (time.monotonic() - t0))), _up(j)))
        # Whether a submission is checked is read from the database, one query a second, not by
        # asking the API about each: polling every pending submission twice a second would take
        # the cores the workers are measured on (the bench's cost, not the service's).
        wall0 = time.time() - (time.monotonic() - t0)
        with psycopg.connect(st.db, autocommit=True) as db:
            while time.monotonic() - t0 < timeout:
                with lock:
                    by_sid = {j.sid: j for j in pending if not j.done and not j.error}
                if by_sid:
                    rows = db.execute("SELECT id, checked_at FROM submissions "
                                      "WHERE state = 'checked' AND checked_at IS NOT NULL "
                                      "AND id = ANY(%s)", (list(by_sid),)).fetchall()
                    for sid, checked_at in rows:
                        if checked_at.tzinfo is None:
                            checked_at = checked_at.replace(tzinfo=dt.timezone.utc)
                        by_sid[sid].done = checked_at.timestamp() - wall0
                if all(j.done or j.error for j in jobs) and len(pending) == len(jobs):
                    break
                time.sleep(1.0)
    return time.monotonic() - t0


def task_seconds(st: Stack) -> dict[str, tuple[float, float]]:
    """task -> (runs, seconds), summed over the workers' processes (their metrics folders)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    out: dict[str, list[float]] = {}
    for folder in st.metrics_dirs.values():
        if not folder.exists():
            continue
        reg = CollectorRegistry()
        MultiProcessCollector(reg, path=str(folder))
        for metric in reg.collect():
            if metric.name != "dossier_worker_task_seconds":
                continue
            for s in metric.samples:
                if s.name.endswith("_sum") or s.name.endswith("_count"):
                    slot = out.setdefault(s.labels["task"], [0.0, 0.0])
                    slot[0 if s.name.endswith("_count") else 1] += s.value
    return {k: (v[0], v[1]) for k, v in out.items()}


def plain_seconds(jobs: list[Job], office: str) -> tuple[float, float]:
    """The plain functions on the same files, one after the other in this process: (reading,
    printing).  Reading is `extract_file`; printing is what `packets.print` does for a Word file
    (LibreOffice's PDF and its values' boxes found on it), so that task time is set against the
    same work."""
    from dossier.campaigns import load_campaigns
    from dossier.settings import Settings
    from workers.extract.convert import convert_to_pdf
    from workers.extract.readers import ReadContext
    from workers.extract.sniff import sniff
    from workers.extraction import extract_file
    from workers.packets import print_boxes
    from workers.packets.prints import needs_print

    campaigns = load_campaigns()
    settings = Settings(office_server=office)
    read_s: dict[str, float] = {}
    print_s: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, job in enumerate({j.name: j for j in sorted(jobs, key=lambda j: j.name)}.values()):
            path = Path(tmp) / job.name
            path.write_bytes(job.data)
            fmt = sniff(path).format
            campaign = campaigns[job.campaign]
            ctx = ReadContext(name=job.name, format=fmt, settings=settings)
            if i == 0:   # imports and the LibreOffice start, paid once as a worker pays them
                extract_file(path, campaign, ctx=ctx)
            t = time.perf_counter()
            result = extract_file(path, campaign, ctx=ctx)
            read_s[job.name] = time.perf_counter() - t
            if needs_print(fmt):
                labels = print_boxes.campaign_labels(campaign)
                t = time.perf_counter()
                pdf = convert_to_pdf(path, settings, fmt)
                print_boxes.find_boxes(print_boxes.page_texts(pdf), result.to_json(), labels)
                print_s[job.name] = time.perf_counter() - t
    return (sum(read_s[j.name] for j in jobs), sum(print_s.get(j.name, 0.0) for j in jobs))


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def report(jobs: list[Job], wall: float, tasks: dict[str, tuple[float, float]],
           plain_parts: tuple[float, float]) -> dict:
    plain_read, plain_print = plain_parts
    plain = plain_read + plain_print
    done = [j for j in jobs if j.done]
    lat = [j.done - j.uploaded for j in done]
    work = sum(s for _, s in tasks.values())
    first = min(j.uploaded for j in done) if done else 0.0
    span = (max(j.done for j in done) - first) if done else 0.0
    out = {
        "submissions": len(jobs), "checked": len(done), "failed": [j.error for j in jobs if j.error],
        "wall_s": round(wall, 1), "per_min": round(len(done) / span * 60, 1) if span else 0.0,
        "p50_s": round(pct(lat, 50), 2) if lat else None, "p95_s": round(pct(lat, 95), 2) if lat else None,
        "max_s": round(max(lat), 2) if lat else None,
        "work_per_submission_s": round(work / max(len(done), 1), 2),
        "queue_wait_per_submission_s": round(statistics.mean(lat) - work / max(len(done), 1), 2) if lat else None,
        "plain_s": round(plain, 1), "plain_read_s": round(plain_read, 1), "plain_print_s": round(plain_print, 1),
        "task_s": round(work, 1),
        "overhead_task_vs_plain": round(work / plain, 2) if plain else None,
        "wall_vs_plain": round(span / plain, 2) if plain else None,
        "steps": {k: {"runs": int(n), "mean_s": round(s / n, 3)} for k, (n, s) in sorted(tasks.items()) if n},
    }
    print(f"submissions {out['checked']}/{out['submissions']} checked in {out['wall_s']} s wall; "
          f"{out['per_min']} per minute")
    print(f"upload -> checked: p50 {out['p50_s']} s, p95 {out['p95_s']} s, max {out['max_s']} s")
    print(f"per submission: {out['work_per_submission_s']} s of task work, "
          f"{out['queue_wait_per_submission_s']} s waiting (queues, relay, polling)")
    if plain:
        print(f"plain functions {out['plain_s']} s (reading {out['plain_read_s']} s, Word prints "
              f"{out['plain_print_s']} s); task time / plain = {out['overhead_task_vs_plain']}x; "
              f"wall (first upload to last check) / plain = {out['wall_vs_plain']}x")
    else:
        print("plain-function baseline skipped (--no-plain): no overhead ratio")
    print(f"{'step':<20}{'runs':>6}{'mean s':>10}")
    for k, v in out["steps"].items():
        print(f"{k:<20}{v['runs']:>6}{v['mean_s']:>10.3f}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="the deadline hour on the production stack")
    ap.add_argument("--quick", action="store_true", help="20 submissions, uploaded at once (CI smoke)")
    ap.add_argument("--submissions", type=int, default=500)
    ap.add_argument("--minutes", type=float, default=60.0, help="spread uploads over this long (0: at once)")
    ap.add_argument("--burst", type=int, default=100, help="how many arrive in the first twelfth")
    ap.add_argument("--scans-only", action="store_true", help="OCR-bound work only")
    ap.add_argument("--ocr-concurrency", type=int, default=1)
    ap.add_argument("--ocr-threads", type=int, default=0,
                    help="DOSSIER_OCR_THREADS for the OCR worker's processes (0: the libraries' default, every core)")
    ap.add_argument("--office", default=None,
                    help="DOSSIER_OFFICE_SERVER for the workers ('' = cold; default: local when uno is there)")
    ap.add_argument("--timeout", type=float, default=0, help="give up after this many seconds")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--no-plain", action="store_true",
                    help="skip the plain-function baseline (the CI smoke: minutes saved, no overhead ratio)")
    args = ap.parse_args(argv)
    if args.quick:
        args.submissions, args.minutes = 20, 0.0
    missing = [n for n in WORD + SCANS if not (SAMPLES / n).exists()]
    if missing:
        print(f"samples missing under {SAMPLES}: {missing}", file=sys.stderr)
        return 2
    if args.office is None:
        from workers.extract.office_server import uno_python
        args.office = "local" if uno_python() else ""
    jobs = make_jobs(args.submissions, args.minutes, args.burst, args.scans_only)
    timeout = args.timeout or args.minutes * 60 + 900
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        st = start_stack(stack, Path(tmp), args.office, args.ocr_concurrency, args.ocr_threads)
        wall = drive(st, jobs, timeout)
        tasks = task_seconds(st)
        plain = (0.0, 0.0) if args.no_plain else plain_seconds(jobs, args.office)
        out = report(jobs, wall, tasks, plain)
        if args.json:
            args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    return 0 if out["checked"] == out["submissions"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
