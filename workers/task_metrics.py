"""Worker-side task metrics and log ids, hooked on Celery's task signals.

Per task name and queue: `dossier_worker_tasks_total{task,queue,outcome}` (succeeded, failed,
retried) and the histogram `dossier_worker_task_seconds{task,queue}`.  Every log line a task
writes carries its `task_id`, `task` and the `file_id` / `submission_id` it works on
(dossier/logging_setup.py).

Why Prometheus's multiprocess mode and not a row per task in the database: a prefork worker is
several processes, and a deployment many pods.  With `DOSSIER_METRICS_DIR` set, each process
writes its counters to memory-mapped files in that folder and the worker's main process serves
their sum on `DOSSIER_METRICS_PORT` (`/metrics` of the pod); Prometheus scrapes every replica and
`sum by (task, queue)` adds them up exactly (histogram buckets add).  A database write per task
would put load on the one server the deadline hour already strains, and the API's `/metrics`
(files, queues, reviewers: the database's view) stays as it was.
"""
from __future__ import annotations

import inspect
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from celery import signals

from dossier.logging_setup import reset_log_context, set_log_context
from dossier.settings import Settings

log = logging.getLogger(__name__)

BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
ID_PARAMS = ("file_id", "submission_id", "build_id")


class TaskMetrics:
    """The counters; built once per process after the multiprocess mode is chosen."""

    def __init__(self, registry: Any = None) -> None:
        from prometheus_client import REGISTRY, Counter, Histogram

        reg = registry if registry is not None else REGISTRY
        self.total = Counter("dossier_worker_tasks", "Celery tasks run, by outcome",
                             ["task", "queue", "outcome"], registry=reg)
        self.seconds = Histogram("dossier_worker_task_seconds", "Celery task run time",
                                 ["task", "queue"], buckets=BUCKETS, registry=reg)
        self._started: dict[str, tuple[float, Any]] = {}

    def started(self, task_id: str, token: Any) -> None:
        self._started[task_id] = (time.perf_counter(), token)

    def finished(self, task_id: str, task: str, queue: str, outcome: str) -> None:
        began, token = self._started.pop(task_id, (None, None))
        if began is not None:
            self.seconds.labels(task, queue).observe(time.perf_counter() - began)
        self.total.labels(task, queue, outcome).inc()
        if token is not None:
            reset_log_context(token)


_metrics: TaskMetrics | None = None


def _ids(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The file / submission / build id among a task's arguments, by parameter name."""
    try:
        bound = inspect.signature(task.run).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return {}
    return {k: bound[k] for k in ID_PARAMS if k in bound}


def _queue(task: Any) -> str:
    info = getattr(task.request, "delivery_info", None) or {}
    return str(info.get("routing_key") or info.get("queue") or "")


def _on_prerun(task_id: str, task: Any, args: tuple[Any, ...] = (), kwargs: dict | None = None,
               **_: Any) -> None:
    if _metrics is None:
        return
    token = set_log_context(task_id=task_id, task=task.name, **_ids(task, args, kwargs or {}))
    _metrics.started(task_id, token)


def _on_postrun(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    if _metrics is None:
        return
    outcome = {"SUCCESS": "succeeded", "RETRY": "retried"}.get(state or "", "failed")
    _metrics.finished(task_id, task.name, _queue(task), outcome)


def use_multiprocess_dir(folder: str) -> None:
    """Counters in `folder`, shared by this process and its forked children."""
    from prometheus_client import values

    Path(folder).mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    values.ValueClass = values.MultiProcessValue()


def install(settings: Settings, *, registry: Any = None) -> TaskMetrics:
    """Hook the signals in this (the worker's main) process; the prefork children inherit them."""
    global _metrics
    if _metrics is None or registry is not None:
        if settings.metrics_dir:
            # a restarted container's leftovers: counters start again (Prometheus expects resets)
            shutil.rmtree(settings.metrics_dir, ignore_errors=True)
            use_multiprocess_dir(settings.metrics_dir)
        _metrics = TaskMetrics(registry)
        signals.task_prerun.connect(_on_prerun, weak=False)
        signals.task_postrun.connect(_on_postrun, weak=False)
    return _metrics


def serve_metrics(settings: Settings) -> None:
    """The pod's `/metrics` on `metrics_port`: the sum over this worker's processes."""
    if not settings.metrics_dir or not settings.metrics_port:
        return
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=settings.metrics_dir)
    start_http_server(settings.metrics_port, registry=registry)
    log.info("worker metrics on :%d/metrics", settings.metrics_port)


NODE_FILE = "worker.node"


def write_node_name(settings: Settings, nodename: str) -> Path:
    """Keep the worker's Celery node name where a probe can read it: the name carries the pid
    (services/runner.py), so `celery inspect ping -d "$(cat …/worker.node)"` reaches exactly this
    worker and no broadcast goes to every replica."""
    path = Path(settings.data_dir) / NODE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nodename, encoding="utf-8")
    return path


def start_worker(settings: Settings) -> None:
    """What `dossier worker` sets up before Celery starts: logs, task metrics, their endpoint,
    the node-name file for the liveness probe, and the queues declared before it consumes (a
    queue an earlier version declared otherwise stops it with the fix: workers/queues.py)."""
    from dossier.logging_setup import configure_logging
    from workers.queues import check_at_worker_start

    configure_logging(settings)
    install(settings)
    serve_metrics(settings)
    signals.celeryd_after_setup.connect(lambda sender, **_: write_node_name(settings, str(sender)),
                                        weak=False)
    check_at_worker_start()
