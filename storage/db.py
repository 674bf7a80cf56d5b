"""Engines, sessions and migrations; nothing is built at import time.

`make_engine(settings)` gives an engine for `settings.resolved_database_url()`
(SQLite gets WAL and a busy timeout, because the API, the relay and the
workers share one file in embedded mode); `make_sessionmaker(engine)` the
session factory; `migrate(engine)` runs the Alembic migrations to head,
programmatically (no alembic.ini), and is what `dossier migrate` and app start
call.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(settings_or_url: Settings | str, **kwargs: Any) -> Engine:
    """An engine for the settings' database URL (or a URL given directly).

    With settings, a PostgreSQL connection gets the connect and statement timeouts and TCP
    keepalives, so that a partition surfaces as an error within seconds instead of a hang."""
    settings = None if isinstance(settings_or_url, str) else settings_or_url
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.resolved_database_url()
    parsed = make_url(url)
    bound = None
    if settings is not None and parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("connect_args", {}).update(pg_timeouts(settings, parsed.query.get("options")))
        kwargs.setdefault("pool_timeout", settings.db_connect_timeout * 2)
        bound = settings.db_statement_timeout + settings.db_connect_timeout
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if bound is not None:
        _bound_waits(engine, bound)
    return engine


def _bound_waits(engine: Engine, seconds: float) -> None:
    """Every wait for the server on this engine's connections ends after `seconds`.

    Why on the client: in a partition the server never receives the query, so its
    statement_timeout never fires; keepalives and tcp_user_timeout only see a peer that stops
    acknowledging, which a middlebox (proxy, load balancer, pgbouncer) that still accepts
    bytes hides. psycopg's `Connection.wait` is the one place every query, fetch, commit,
    rollback and pool pre-ping waits on the socket, and it takes a deadline: the subclass
    below gives it one (the server's own statement_timeout plus a margin, so a legitimate
    statement is killed by the server first). A wait that runs out leaves the protocol
    mid-message, so the connection is closed: SQLAlchemy then sees a disconnect and
    invalidates it, and the pool hands out fresh connections once the partition heals."""
    import psycopg
    from psycopg import errors as pg_errors

    class BoundedConnection(psycopg.Connection):  # type: ignore[type-arg]
        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            if timeout is not None:     # psycopg's own bounded waits (notifies) expect its error
                return super().wait(gen, interval, timeout)
            try:
                return super().wait(gen, interval, seconds)
            except pg_errors._WaitTimeout as e:
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"no answer from the database within {seconds:g} s; connection closed") from e

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        return BoundedConnection.connect(*cargs, **cparams)


def pg_timeouts(settings: Settings, url_options: Any = None) -> dict[str, Any]:
    """psycopg connect arguments: timeouts from settings, keeping the URL's own `options`."""
    options = url_options if isinstance(url_options, str) else " ".join(url_options or ())
    ms = int(settings.db_statement_timeout * 1000)
    return {"connect_timeout": settings.db_connect_timeout,
            "options": f"{options} -c statement_timeout={ms}".strip(),
            # a dead peer (cable cut, blackhole) is noticed in about 20 s, not the kernel's 2 hours
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2,
            # data sent and never acknowledged (a blackhole mid-query) ends the connection
            "tcp_user_timeout": settings.db_connect_timeout * 2000}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers do not block the one writer; busy_timeout: writers wait
    # instead of failing at once when the API and a worker write together
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: services return rows that callers read after commit
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def load_models() -> MetaData:
    """The whole schema: every `storage/*models.py` module imported, their shared metadata.

    Tables of other domains (the review) live in modules of their own on the
    same Base; migrations and schema checks must see them all.
    """
    import importlib
    import pkgutil

    import storage
    from storage.models import Base

    for mod in pkgutil.iter_modules(storage.__path__):
        if mod.name.endswith("models"):
            importlib.import_module(f"storage.{mod.name}")
    return Base.metadata


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # '%' in a password would be read as interpolation by configparser
    cfg.set_main_option("sqlalchemy.url",
                        engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` (default: the newest)."""
    log.info("migrating %s to %s", engine.url.render_as_string(hide_password=True), revision)
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
