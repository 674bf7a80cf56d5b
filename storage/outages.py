"""Which errors mean "a service is unavailable" (an outage to wait out), and how long to wait.

An outage of the database, the object store or the broker is no fault of the file being
worked on: workers wait it out without spending the file's attempts, and the API answers
503 with Retry-After instead of a 500.  Anything else is the file's own failure.
"""
from __future__ import annotations

import random

import urllib3.exceptions
from kombu.exceptions import OperationalError as BrokerOperationalError
from minio.error import InvalidResponseError, S3Error, ServerError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

DATABASE = "database"
STORE = "store"
BROKER = "broker"

_DB = (OperationalError, DisconnectionError, InterfaceError, PoolTimeout)
_STORE = (urllib3.exceptions.HTTPError, ServerError, InvalidResponseError)
# S3 answers that say "later", unlike NoSuchKey or AccessDenied
_S3_LATER = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout",
                       "RequestTimeTooSkewed", "OperationAborted"})


def _psycopg_down(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:     # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError)


def _one(exc: BaseException) -> str | None:
    if isinstance(exc, _DB) or _psycopg_down(exc):
        return DATABASE
    if isinstance(exc, _STORE) or (isinstance(exc, S3Error) and exc.code in _S3_LATER):
        return STORE
    if isinstance(exc, BrokerOperationalError):
        return BROKER
    if isinstance(exc, (ConnectionError, TimeoutError)):
        # a socket error outside the drivers: the broker's amqp library raises these
        return BROKER
    return None


def unavailable(exc: BaseException) -> str | None:
    """`database`, `store` or `broker` when `exc` (or what caused it) is an outage; else None."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        kind = _one(cur)
        if kind is not None:
            return kind
        cur = cur.__cause__ or cur.__context__
    return None


def backoff(retry: int, *, base: float = 1.0, cap: float = 15.0) -> float:
    """Seconds before retry number `retry` (1, 2, …): exponential, capped, fully jittered.

    Jitter spreads the workers' returns so a recovering database is not hit by all at once;
    the cap bounds how long after a service's return the work resumes."""
    ceiling = min(cap, base * 2 ** min(retry - 1, 16))
    return random.uniform(ceiling / 2, ceiling)
