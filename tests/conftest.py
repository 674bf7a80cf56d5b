"""Shared fixtures: settings for embedded mode, databases built by the migrations,
a moto S3 server, RabbitMQ queue names, a Celery worker in a thread.

Services (all on 127.0.0.1; override with environment variables):
- PostgreSQL: DOSSIER_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
  Each test session works in a schema of its own, dropped at the end, because
  the `test` database is shared; tables are emptied after each test.
- RabbitMQ: DOSSIER_TEST_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672//).
  Each test gets queue names of its own and deletes them afterwards.
- S3: moto's server, started here on a free loopback port.
Tests that need one of them carry `@pytest.mark.services` and are skipped
when it is not reachable.
"""
from __future__ import annotations

import contextlib
import io
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from storage.db import load_models, make_engine, make_sessionmaker, migrate
from storage.objects import ObjectStore

PG_URL = os.environ.get("DOSSIER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("DOSSIER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def pytest_addoption(parser: pytest.Parser) -> None:
    # tests/test_golden_models.py rewrites its expected files instead of comparing with them
    parser.addoption("--regenerate-golden", action="store_true", default=False,
                     help="rewrite tests/golden/models/*.json from what the readers read now")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port),
                                      timeout=1):
            return True
    except OSError:
        return False


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# -------------------------------------------------------------------- settings

@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded mode in a temp folder: SQLite, folder store, filesystem broker."""
    return Settings(data_dir=tmp_path / "var", database_url="", storage_url="", broker_url="")


# ------------------------------------------------------------------- databases

@pytest.fixture
def sqlite_engine(settings: Settings) -> Iterator[Engine]:
    """The embedded SQLite database, built by the migrations."""
    engine = make_engine(settings)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A database URL whose search_path is a schema made for this test session."""
    if not reachable(PG_URL, 5432):
        pytest.skip("PostgreSQL not reachable")
    schema = unique("dossier_test_")
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_schema_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_schema_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _empty_tables(engine: Engine) -> None:
    present = set(inspect(engine).get_table_names()) - {"alembic_version"}
    names = ", ".join(f'"{t.name}"' for t in load_models().sorted_tables if t.name in present)
    if names:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def pg_engine(pg_migrated: Engine) -> Iterator[Engine]:
    """PostgreSQL (own schema, migrated once per session), emptied after each test."""
    yield pg_migrated
    _empty_tables(pg_migrated)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def db_engine(request: pytest.FixtureRequest) -> Engine:
    """Each test using it runs on SQLite and on PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(db_engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    s = sessions()
    yield s
    s.rollback()
    s.close()


# ------------------------------------------------------------------------- S3

@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """host:port of a moto S3 server on the loopback interface."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_settings(settings: Settings, moto_endpoint: str) -> Settings:
    """`settings` with the object store in a fresh bucket on the moto server."""
    return settings.model_copy(update={
        "storage_url": f"s3://{unique('bucket-')}/objects", "s3_endpoint": moto_endpoint,
        "s3_access_key": "test", "s3_secret_key": "testsecret", "s3_secure": False,
        "s3_region": "us-east-1"})


@pytest.fixture
def folder_store(settings: Settings) -> ObjectStore:
    from storage.objects import open_store
    return open_store(settings)


# ------------------------------------------------------------------- RabbitMQ

@pytest.fixture
def amqp_url() -> str:
    if not reachable(AMQP_URL, 5672):
        pytest.skip("RabbitMQ not reachable")
    return AMQP_URL


def queue_names(prefix: str) -> dict[str, str]:
    """Queue settings of their own, so that test runs sharing a broker do not cross."""
    return {f"queue_{role}": f"{prefix}-{role}" for role in ("ingest", "extract", "ocr", "packets")}


def delete_queues(app: object, names: list[str]) -> None:
    """Remove a test's queues from the shared broker."""
    with app.connection_for_write() as conn:  # type: ignore[attr-defined]
        channel = conn.default_channel
        for name in names:
            with contextlib.suppress(Exception):
                channel.queue_delete(name)


# ------------------------------------------------------------------- documents

def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A small real .docx (python-docx), optionally with a table of label/value rows."""
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=max(len(r) for r in table))
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                t.cell(i, j).text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.fixture
def jinhua_docx() -> bytes:
    """A jinhua-2015 推荐表 as a .docx: the table with its labels and a few values."""
    return make_docx(
        ["市县机关党建示范点推荐表", "填报单位：金华市某局机关党委"],
        [["党组织名称", "中共金华市某局机关支部委员会", "所在单位类别", "机关"],
         ["评定星级", "五星级", "示范点类型", "服务民生关爱群众"],
         ["党员人数", "35", "", ""]])
