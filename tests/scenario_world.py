"""The world of the lifecycle scenarios (tests/test_scenario_*.py): the service on PostgreSQL,
RabbitMQ and real `dossier worker` / `dossier relay` processes, people with API tokens, and the
few HTTP calls each of them makes, so a scenario reads as what people do and what they see.

Only setting up people (accounts and their tokens) touches the database; everything people do
goes through the HTTP API.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from dossier import beijing
from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from storage.db import make_sessionmaker
from storage.models import utcnow
from storage.objects import open_store
from storage.review_models import SubmissionReview
from tests.conftest import delete_queues, queue_names, unique
from tests.docx_factory import narrative
from tests.edges import ARTIFACTS, dossier_env, running
from tests.packet_scenario import pdf_pages
from tests.review_helpers import PASSWORD
from workers.packets.build import run_build


@dataclass
class Person:
    """Someone with an API token (or nobody: an anonymous visitor when token is None)."""
    http: TestClient
    token: str | None
    name: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.http.post(url, headers=self.headers, **kw)

    # ---- a unit
    def draft(self, campaign: str, organisation: str, recommender: str | None = None,
              self_check: bool = False, applicant_kind: str | None = None) -> str:
        r = self.post("/api/submissions", json={"campaign": campaign, "organisation": organisation,
                                                "recommender": recommender, "self_check": self_check,
                                                "applicant_kind": applicant_kind})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def upload(self, sid: str, *files: tuple[str, bytes]) -> None:
        r = self.post(f"/api/submissions/{sid}/files",
                      files=[("files", (name, data, "application/octet-stream")) for name, data in files])
        assert r.status_code == 202, r.text

    def status(self, sid: str) -> dict[str, Any]:
        r = self.get(f"/api/submissions/{sid}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def checked(self, sid: str, timeout: float = 240.0) -> dict[str, Any]:
        """The status once every file is read and the whole submission checked (the page's 检查中 ends)."""
        deadline = time.monotonic() + timeout
        st = self.status(sid)
        while not st["summary"]["final"] and time.monotonic() < deadline:
            assert st["lifecycle"]["code"] in ("checking", "returned", "self_check"), st["lifecycle"]
            time.sleep(0.5)
            st = self.status(sid)
        assert st["summary"]["final"], st
        return st

    def submit(self, sid: str, warnings_read: bool = True) -> Any:
        return self.post(f"/api/submissions/{sid}/submit", json={"warnings_read": warnings_read})

    # ---- a recommender or reviewer
    def tasks(self, **params: str) -> list[dict[str, Any]]:
        r = self.get("/api/review/tasks", params={"state": "open", **params})
        assert r.status_code == 200, r.text
        return list(r.json())

    def task_of(self, sid: str) -> dict[str, Any]:
        [task] = [t for t in self.tasks() if t["submission_id"] == sid]
        r = self.post(f"/api/review/tasks/{task['id']}/claim")
        assert r.status_code == 200, r.text
        return task

    def decide(self, task: dict[str, Any], decision: str, **payload: Any) -> Any:
        return self.post(f"/api/review/tasks/{task['id']}/decision", json={"decision": decision, **payload})


def today() -> str:
    """Today in Beijing, as a 公示 or an opinion is dated."""
    return beijing.today(utcnow()).isoformat()


def seen(st: dict[str, Any]) -> tuple[str, str]:
    """What the unit's page says it is: the state's code and its Chinese label."""
    return st["lifecycle"]["code"], st["lifecycle"]["label"]


def codes(st: dict[str, Any]) -> set[str]:
    return {f["code"] for f in st["findings"]} | {x["code"] for f in st["files"] for x in f["findings"]}


def narrative_docx(chars: int) -> bytes:
    """创建事迹介绍材料 in a file of its own."""
    d = Document()
    d.add_paragraph("创建事迹介绍材料")
    d.add_paragraph(narrative(chars))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx_bytes(path: Path) -> bytes:
    return path.read_bytes()


def sheet_rows(xlsx: bytes, sheet: str) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def word_stand_in(path: Path, settings: Settings, fmt: str | None) -> bytes:
    return pdf_pages(1, f"word original {path.suffix}")


class World:
    """The running service and its people."""

    def __init__(self, http: TestClient, settings: Settings, engine: Engine) -> None:
        self.http, self.settings, self.engine = http, settings, engine
        self.sessions = make_sessionmaker(engine)
        self.anonymous = Person(http, None, "anonymous")

    def person(self, username: str, role: str, **binding: str | None) -> Person:
        with self.sessions() as s:
            user = accounts.create_user(s, username=username, password=PASSWORD, role=role, **binding)
            return Person(self.http, accounts.issue_token(s, user, "scenario"), username)

    def notice_over(self, sid: str) -> None:
        """Time passes: the 公示 put up today has run its working days (it ended yesterday).  The only
        thing a scenario does outside the API: a clock cannot be sped up through HTTP."""
        with self.sessions() as s:
            review = s.get(SubmissionReview, sid)
            assert review is not None and review.notice_start and review.notice_end, "no 公示 started"
            yesterday = beijing.today(utcnow()) - dt.timedelta(days=1)
            review.notice_start, review.notice_end = (yesterday - (review.notice_end - review.notice_start),
                                                      yesterday)
            s.commit()

    def packets(self, admin: Person, campaign: str) -> dict[str, Any]:
        """A packet build asked for through the API, compiled here (Word originals stood in for),
        its 汇总表 downloaded through the API: {"rows": …, "sheets": …, "build": …}."""
        r = admin.post(f"/api/campaigns/{campaign}/packets")
        assert r.status_code == 202, r.text
        build_id = r.json()["id"]
        assert run_build(self.sessions, open_store(self.settings), self.settings, build_id,
                         word_to_pdf=word_stand_in) == "done"
        st = admin.get(f"/api/packets/{build_id}").json()
        xlsx = admin.get(st["downloads"]["summary_xlsx"]).content
        return {"build": st, "xlsx": xlsx, "rows": sheet_rows(xlsx, load_workbook(io.BytesIO(xlsx)).sheetnames[0])}


@contextlib.contextmanager
def world(settings: Settings, pg_schema_url: str, pg_engine: Engine, amqp_url: str, name: str) -> Iterator[World]:
    """The service with a real worker (ingest, extract and OCR queues) and relay on RabbitMQ and
    PostgreSQL; the objects in a folder both the test and the worker read."""
    s = settings.model_copy(update={"database_url": pg_schema_url, "broker_url": amqp_url,
                                    "anonymous_uploads": True, **queue_names(unique(name))})
    env = dossier_env(s)
    logs = ARTIFACTS / "logs"
    queues = ",".join([s.queue_ingest, s.queue_extract, s.queue_ocr])
    from workers.celery_app import make_celery
    try:
        with running(["worker", "--queues", queues, "--concurrency", "2"], env, logs / f"{name}-worker.log"), \
                running(["relay"], env, logs / f"{name}-relay.log"), \
                TestClient(create_app(s, engine=pg_engine, store=open_store(s))) as http:
            yield World(http, s, pg_engine)
    finally:
        delete_queues(make_celery(s), [s.queue_ingest, s.queue_extract, s.queue_ocr, s.queue_packets])
