"""JSON logs with the ids of what is being worked on, and worker task metrics that add up
across a worker's processes (dossier/logging_setup.py, workers/task_metrics.py)."""
from __future__ import annotations

import copy
import io
import json
import logging
import subprocess
import sys

import pytest
from celery import Celery
from prometheus_client import CollectorRegistry

from dossier.logging_setup import configure_logging, log_context
from dossier.settings import Settings
from tests.edges import REPO
from workers import task_metrics


@pytest.fixture
def json_lines(monkeypatch: pytest.MonkeyPatch):
    """The root handler configured for JSON, writing into a buffer; yields a reader."""
    buf = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buf)
    configure_logging(Settings(log_format="json"))
    yield lambda: [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_dossier", False)]:
        root.removeHandler(h)


class TestJsonLogs:
    def test_a_line_carries_the_ids_of_its_context(self, json_lines) -> None:
        log = logging.getLogger("dossier.test")
        with log_context(submission_id="s-1", file_id="f-9"):
            log.warning("conversion of %s failed", "a.doc")
        log.warning("outside")
        inside, outside = json_lines()[-2:]
        assert inside["message"] == "conversion of a.doc failed"
        assert (inside["submission_id"], inside["file_id"], inside["level"]) == ("s-1", "f-9", "WARNING")
        assert inside["logger"] == "dossier.test" and "time" in inside
        assert "file_id" not in outside                # ids do not leak past their context

    def test_text_stays_the_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        buf = io.StringIO()
        monkeypatch.setattr(sys, "stderr", buf)
        configure_logging(Settings())
        try:
            logging.getLogger("dossier.test").warning("plain")
        finally:
            for h in [h for h in logging.getLogger().handlers if getattr(h, "_dossier", False)]:
                logging.getLogger().removeHandler(h)
        assert "plain" in buf.getvalue() and not buf.getvalue().lstrip().startswith("{")


class TestTaskMetrics:
    def test_counts_durations_and_log_ids_per_task(self, json_lines) -> None:
        registry = CollectorRegistry()
        task_metrics.install(Settings(), registry=registry)
        app = Celery("t", broker="memory://")
        app.conf.task_always_eager = True

        # shared=False: a shared task (Celery's default) joins every app made later in this
        # process, and these stand-ins would replace the real steps in other tests' workers
        @app.task(name="extract.file", bind=True, shared=False)
        def extract_file(self, file_id: str) -> str:
            logging.getLogger("workers.test").info("reading")
            return file_id

        @app.task(name="check.submission", bind=True, shared=False)
        def check_submission(self, submission_id: str) -> str:
            raise ValueError("broken")

        logging.getLogger().setLevel(logging.INFO)
        extract_file.apply(args=["f-1"])
        extract_file.apply(kwargs={"file_id": "f-2"})
        check_submission.apply(args=["s-1"])
        get = registry.get_sample_value
        assert get("dossier_worker_tasks_total", {"task": "extract.file", "queue": "", "outcome": "succeeded"}) == 2
        assert get("dossier_worker_tasks_total", {"task": "check.submission", "queue": "", "outcome": "failed"}) == 1
        assert get("dossier_worker_task_seconds_count", {"task": "extract.file", "queue": ""}) == 2
        seen = [r for r in json_lines() if r["message"] == "reading"]
        assert [r["file_id"] for r in seen] == ["f-1", "f-2"]
        assert all(r["task"] == "extract.file" and r["task_id"] for r in seen)

    def test_counts_add_up_across_processes(self, tmp_path) -> None:
        """Prefork children write to the shared folder; the pod's endpoint serves their sum."""
        code = f"""
import multiprocessing as mp
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from workers import task_metrics
task_metrics.use_multiprocess_dir({str(tmp_path)!r})
m = task_metrics.TaskMetrics(CollectorRegistry())
def work(n):
    for _ in range(n):
        m.finished("x", "ocr.page", "ocr", "succeeded")
ctx = mp.get_context("fork")
procs = [ctx.Process(target=work, args=(n,)) for n in (3, 4)]
[p.start() for p in procs]; [p.join() for p in procs]
reg = CollectorRegistry()
MultiProcessCollector(reg, path={str(tmp_path)!r})
print(reg.get_sample_value("dossier_worker_tasks_total", {{"task": "ocr.page", "queue": "ocr", "outcome": "succeeded"}}))
"""
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
        assert out.returncode == 0, out.stderr
        assert float(out.stdout.split()[-1]) == 7.0


def test_uvicorn_logs_become_json_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's own access and error lines use the JSON formatter as well."""
    from uvicorn.config import LOGGING_CONFIG
    monkeypatch.setitem(LOGGING_CONFIG, "formatters", copy.deepcopy(LOGGING_CONFIG["formatters"]))
    configure_logging(Settings(log_format="json"))
    try:
        assert LOGGING_CONFIG["formatters"]["access"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_dossier", False)]:
            logging.getLogger().removeHandler(h)


def test_the_worker_leaves_its_node_name_for_the_probe(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The liveness probe pings `$(cat worker.node)`: the name Celery gave this worker."""
    from celery import signals

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    task_metrics.start_worker(Settings(data_dir=tmp_path, metrics_port=0))
    try:
        signals.celeryd_after_setup.send(sender="ingest.4711@pod-7", instance=None, conf=None)
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_dossier", False)]:
            logging.getLogger().removeHandler(h)
    assert (tmp_path / task_metrics.NODE_FILE).read_text() == "ingest.4711@pod-7"
