"""Logging for every dossier process: plain text on a terminal, JSON lines on many nodes.

`DOSSIER_LOG_FORMAT=json` writes one JSON object a line (python-json-logger) with `time`, `level`,
`logger`, `message` and, where the code runs on behalf of one, `submission_id`, `file_id`,
`task_id` and `task`: a log store can then show everything that happened to one upload across
the API, the relay and every worker replica.  The ids come from `log_context(...)` (a
contextvar: the Celery task signals set it in workers/task_metrics.py), so no call site has
to pass them.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
from collections.abc import Iterator
from typing import Any

from dossier.settings import Settings

CONTEXT_KEYS = ("submission_id", "file_id", "task_id", "task")
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("dossier_log_context",
                                                                          default={})
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


def set_log_context(**ids: Any) -> contextvars.Token[dict[str, str]]:
    """Add ids to what every log line of this context carries; returns the token to reset."""
    merged = {**_context.get(), **{k: str(v) for k, v in ids.items() if v is not None}}
    return _context.set(merged)


def reset_log_context(token: contextvars.Token[dict[str, str]]) -> None:
    _context.reset(token)


@contextlib.contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    token = set_log_context(**ids)
    try:
        yield
    finally:
        reset_log_context(token)


class ContextFilter(logging.Filter):
    """Copies the current ids onto each record (absent ids are left out, not null)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            setattr(record, key, value)
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMES, timestamp=False)


def configure_logging(settings: Settings, *, level: int = logging.INFO) -> None:
    """Install the root handler for `settings.log_format` (idempotent: replaces ours)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_dossier", False)]:
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._dossier = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    if settings.log_format == "json":
        handler.setFormatter(json_formatter())
        _uvicorn_json()
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def _uvicorn_json() -> None:
    """uvicorn installs its own text formatters from its default config: make those JSON too."""
    try:
        from uvicorn.config import LOGGING_CONFIG
    except ImportError:   # a worker image may not need uvicorn's config at all
        return
    for name in ("default", "access"):
        LOGGING_CONFIG["formatters"][name] = {"()": "pythonjsonlogger.json.JsonFormatter",
                                              "fmt": JSON_FIELDS, "rename_fields": JSON_RENAMES}
