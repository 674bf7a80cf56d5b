"""`/readyz`: do the database and the store answer, within a time limit.

Each probe runs in a small pool of its own and is waited for at most `timeout` seconds:
during a partition a probe can hang in the driver longer than a load balancer waits, and
the answer must still come in time (the stuck probe finishes on its own later).
"""
from __future__ import annotations

import concurrent.futures as cf
import time

from sqlalchemy import Engine, text

from storage.objects import ObjectStore

# bounded: a flood of readiness calls during an outage cannot pile up threads
_POOL = cf.ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def _database(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _outcome(future: "cf.Future[object]", wait: float) -> str:
    try:
        future.result(timeout=max(0.05, wait))
    except cf.TimeoutError:
        return "timeout"
    except Exception as e:   # any driver error means "down" here, whatever its class
        return type(e).__name__
    return "ok"


def check(engine: Engine, store: ObjectStore, timeout: float) -> dict[str, str]:
    """{"status": ok|degraded, "database": ok|error name|timeout, "store": …}."""
    started = time.monotonic()
    db = _POOL.submit(_database, engine)
    st = _POOL.submit(store.exists, "healthz/probe")
    out = {"status": "ok", "database": _outcome(db, timeout),
           "store": _outcome(st, timeout - (time.monotonic() - started))}
    if out["database"] != "ok" or out["store"] != "ok":
        out["status"] = "degraded"
    return out
