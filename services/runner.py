"""Start the parts of dossier: API, Celery worker, outbox relay, and all three.

`run_embedded` is what `dossier up` runs: it migrates the database, then starts
the three parts as child processes (each is `python -m services.cli …`) and
watches them.  Separate processes rather than threads because a Celery worker
owns its process (signals, prefork pool), and because it is exactly how the
production layout runs them, one container per part.  Ctrl-C (or SIGTERM)
stops the children gracefully.  A child that dies is started again, as a
container's restart policy would (a worker lost to memory must not take the
web pages down with it); one that keeps dying (`RESTARTS` times within
`RESTART_WINDOW_S`) stops the others too, so a half-running service never
looks healthy.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

from dossier.settings import Settings

log = logging.getLogger("dossier.runner")

STOP_GRACE_S = 15.0
RESTARTS = 3
RESTART_WINDOW_S = 60.0


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as DOSSIER_* variables, so that child processes see exactly
    what the parent resolved (relative paths made absolute)."""
    env: dict[str, str] = {}
    data = settings.model_dump()
    data["data_dir"] = Path(settings.data_dir).resolve()
    for key, value in data.items():
        if value is None or value == "":
            continue
        env[f"DOSSIER_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def migrate(settings: Settings) -> None:
    """Create or upgrade the database schema (the backend's migrations)."""
    from storage.db import make_engine, migrate as migrate_to_head

    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings)
    try:
        migrate_to_head(engine)
    finally:
        engine.dispose()


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> int:
    """Run the HTTP API and the web page in this process until stopped."""
    import uvicorn

    from services.app import create_app

    if settings.resolved_database_url().startswith("sqlite"):
        # embedded: nobody else runs the migrations, and they are idempotent and quick
        migrate(settings)
    host = host or settings.host
    port = port or settings.port
    from dossier.logging_setup import configure_logging

    configure_logging(settings)
    print(f"dossier API on http://{host}:{port}/ / 网页与接口已启动", flush=True)
    # no `server: uvicorn` banner: it tells an attacker what to look up
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", server_header=False)
    return 0


def all_queues(settings: Settings) -> list[str]:
    return [settings.queue_ingest, settings.queue_extract, settings.queue_ocr, settings.queue_packets]


def run_worker(settings: Settings, *, queues: Sequence[str] | None = None,
               concurrency: int | None = None, pool: str | None = None) -> int:
    """Run a Celery worker consuming `queues` (default: all of them)."""
    from workers.celery_app import make_celery
    from workers.task_metrics import start_worker

    start_worker(settings)   # JSON logs with task/file ids, per-task metrics on metrics_port
    app = make_celery(settings)
    names = list(queues or all_queues(settings))
    if settings.queue_ocr in names:
        _load_ocr_on_start()
    # the node is named after its queues and process (`ingest.4711@host`): several workers on one
    # machine, even of the same queues, must not share a name (Celery's default `celery@host`):
    # the second one's exclusive control queue would be refused (RESOURCE_LOCKED) and it would exit
    argv = ["worker", "--loglevel", "INFO", "--queues", ",".join(names),
            "--hostname", f"{'+'.join(names)}.{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if pool:
        argv += ["--pool", pool]
    app.worker_main(argv)
    return 0


def _load_ocr_on_start() -> Callable[..., None]:
    """Each OCR worker process loads its models as it starts, in the background, so that the
    first page it is given is not also the one that waits for them (a second or more)."""
    from celery.signals import worker_process_init

    def load() -> None:
        from workers.extract.ocr_engine import engine
        try:
            engine()
        except Exception:   # noqa: BLE001 (the first page loads it again and reports why)
            logging.getLogger(__name__).warning("OCR models not loaded ahead of the first page", exc_info=True)

    def on_start(**_: object) -> None:
        # a thread: Celery gives a child's init hook four seconds before it calls the child lost
        threading.Thread(target=load, name="ocr-models", daemon=True).start()

    worker_process_init.connect(on_start, weak=False)
    return on_start


def run_relay(settings: Settings, *, once: bool = False) -> int:
    """Drain the outbox to the broker, forever (or once)."""
    from dossier.logging_setup import configure_logging
    from workers import relay

    configure_logging(settings)
    if once:
        n = relay.drain_once(settings)
        print(f"published {n} message(s) / 已投递 {n} 条", flush=True)
        return 0
    relay.run_forever(settings)
    return 0


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # a session of its own: Ctrl-C reaches only the runner, which then stops
    # the children in order instead of all of them racing at once
    return subprocess.Popen([sys.executable, "-m", "services.cli", *args], env=env,
                            start_new_session=True)


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in time, killing it / 强制结束 %s", name, name)
            proc.kill()
            proc.wait()


def run_embedded(settings: Settings, *, host: str | None = None, port: int | None = None,
                 concurrency: int = 2) -> int:
    """`dossier up`: migrate, then API + worker (all queues) + relay until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    migrate(settings)
    env = {**os.environ, **settings_env(settings)}
    host = host or settings.host
    port = port or settings.port
    commands = {
        "api": ["serve", "--host", host, "--port", str(port)],
        "worker": ["worker", "--concurrency", str(concurrency)],
        "relay": ["relay"],
    }
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(f"dossier is up: http://{host}:{port}/  (Ctrl-C stops / 按 Ctrl-C 停止)", flush=True)
    return supervise({name: (lambda args=args: _spawn(args, env)) for name, args in commands.items()},
                     stopping)


def supervise(starters: dict[str, Callable[[], subprocess.Popen[bytes]]], stopping: threading.Event,
              *, poll_s: float = 0.5) -> int:
    """Start each child and keep it running until `stopping` is set: one that exits is started
    again, unless it has already been restarted `RESTARTS` times within `RESTART_WINDOW_S`
    (then all stop and the exit code is 1). The children are stopped in order at the end."""
    procs = {name: start() for name, start in starters.items()}
    restarts: dict[str, list[float]] = {name: [] for name in starters}
    code = 0
    try:
        while not stopping.is_set():
            for name, proc in list(procs.items()):
                if proc.poll() is None:
                    continue
                now = time.monotonic()
                recent = [t for t in restarts[name] if now - t < RESTART_WINDOW_S]
                if len(recent) >= RESTARTS:
                    log.error("%s exited (%s) again, %d restarts within %.0f s; stopping the rest / "
                              "%s 反复退出，停止其余进程", name, proc.returncode, len(recent),
                              RESTART_WINDOW_S, name)
                    code = 1
                    stopping.set()
                    break
                log.error("%s exited (%s); starting it again / %s 已退出，正在重新启动",
                          name, proc.returncode, name)
                restarts[name] = [*recent, now]
                procs[name] = starters[name]()
            time.sleep(poll_s)   # not stopping.wait: the signal handler sets it, and must not meet its lock
    finally:
        print("stopping / 正在停止 …", flush=True)
        _stop(procs)
    return code
