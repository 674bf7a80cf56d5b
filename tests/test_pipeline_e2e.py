"""End to end: upload -> outbox -> relay -> a real Celery worker -> result in the database.

Twice: the distributed setup (RabbitMQ + PostgreSQL + S3 on moto) and the
embedded one (filesystem broker + SQLite + folder store).
"""
from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import Engine

from dossier.settings import Settings
from services.files.service import submission_status
from services.submissions.service import accept_upload, create_submission
from storage.db import make_engine, make_sessionmaker, migrate
from storage.objects import open_store
from workers.celery_app import DossierCelery, make_celery
from workers.relay import Relay

from .conftest import delete_queues, queue_names, unique

def run_upload(settings: Settings, app: DossierCelery, data: bytes, name: str,
               timeout: float = 180) -> dict:
    """Upload through the service, relay the outbox, and wait for the file to be final."""
    sessions = app.resources.sessions
    store = open_store(settings)
    relay = Relay(settings, app, sessions=sessions)
    with sessions() as s:
        sub = create_submission(s, campaign_id="jinhua-2015", organisation="金华市某局机关党委")
        row = accept_upload(s, store, settings, submission_id=sub.id, filename=name,
                            stream=io.BytesIO(data))
    deadline = time.monotonic() + timeout
    while True:
        relay.drain_once()
        with sessions() as s:
            status = submission_status(s, sub.id)
        if status["submission"]["state"] == "checked" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert store.get(row.object_key) == data        # the original is kept as it was
    status["_row"] = {"sha256": row.sha256, "id": row.id}
    return status


def assert_processed(status: dict) -> None:
    """Done once, the fields read, the file's and the submission's findings recorded."""
    [f] = status["files"]
    assert status["submission"]["state"] == "checked", status
    assert (f["state"], f["progress"], f["format"], f["method"], f["pages"], f["attempts"]) == (
        "done", 100, "docx", "docx", 1, 1), f
    assert f["sha256"] == status["_row"]["sha256"]
    [doc] = f["documents"]
    fields = {k: v["value"] for k, v in doc["fields"].items()}
    assert doc["kind"] == "recommendation_form"
    assert (fields["org_name"], fields["star_rating"], fields["member_count"]) == (
        "中共金华市某局机关支部委员会", 5, 35)
    # the form leaves the 书记 rows empty: the unit is told, in Chinese
    missing = {x["field"] for x in f["findings"] if x["code"] == "field.missing"}
    assert "secretary.name" in missing
    # uploaded today, long after 2015-11-15
    assert "deadline.passed" in {x["code"] for x in status["findings"]}


@pytest.mark.services
class TestDistributed:
    @pytest.fixture
    def app(self, s3_settings: Settings, pg_schema_url: str, pg_engine: Engine,
            amqp_url: str) -> Iterator[DossierCelery]:
        names = queue_names(unique("e2e"))
        settings = s3_settings.model_copy(update={"database_url": pg_schema_url,
                                                  "broker_url": amqp_url, **names})
        # no heartbeats: the in-thread worker would wait out a heartbeat cycle to stop
        app = make_celery(settings, broker_heartbeat=0)
        try:
            yield app
        finally:
            delete_queues(app, list(names.values()))
            app.resources.engine.dispose()

    def test_docx_end_to_end(self, app: DossierCelery, jinhua_docx: bytes) -> None:
        """GIVEN RabbitMQ, PostgreSQL and S3 WHEN a .docx is uploaded THEN a worker
        ingests and extracts it and the result is stored, with the submission checked."""
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            status = run_upload(app.settings, app, jinhua_docx, "推荐表.docx")
        assert_processed(status)


    @pytest.mark.slow
    def test_packets_build_on_the_packets_queue(self, app: DossierCelery, jinhua_docx: bytes) -> None:
        """GIVEN a processed submission WHEN an admin asks for the campaign's packets THEN the build goes
        through the outbox and RabbitMQ to a worker on the packets queue, and its summary workbook
        and the submission's dossier PDF land in S3."""
        import openpyxl
        from pypdf import PdfReader

        from services.review import flow
        from storage.packet_models import PacketBuild
        from workers.packets.build import request_build

        sessions = app.resources.sessions
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            status = run_upload(app.settings, app, jinhua_docx, "推荐表.docx")
            sid = status["submission"]["id"]
            with sessions() as s:
                # submitted, through its recommender: only submitted ones go into packets
                s.get(flow.Submission, sid).recommender = "金华市直机关工委"
                flow.start_review(s, None, sid)
                build_id = request_build(s, "jinhua-2015", "admin").id
            relay = Relay(app.settings, app, sessions=sessions)
            deadline = time.monotonic() + 120
            while True:
                relay.drain_once()
                with sessions() as s:
                    build = s.get(PacketBuild, build_id)
                    if build.is_final or time.monotonic() > deadline:
                        break
                time.sleep(0.2)
        assert (build.state, build.done, build.total) == ("done", 1, 1), (build.state, build.error)
        store = open_store(app.settings)
        sheet = openpyxl.load_workbook(io.BytesIO(store.get(build.objects["summary_xlsx"]))).worksheets[0]
        assert "金华市某局机关党委" in [c.value for row in sheet.iter_rows() for c in row]
        dossier = PdfReader(io.BytesIO(store.get(build.objects["dossiers"][sid])))
        assert "中共金华市某局机关支部委员会" in "".join(p.extract_text() for p in dossier.pages)


class TestEmbedded:
    def test_docx_end_to_end(self, settings: Settings, jinhua_docx: bytes) -> None:
        """The same in embedded mode: filesystem broker, SQLite, folder store; no server."""
        migrate(make_engine(settings))
        app = make_celery(settings)
        app.conf.broker_transport_options = {**app.conf.broker_transport_options,
                                             "polling_interval": 0.1}
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                status = run_upload(settings, app, jinhua_docx, "推荐表.docx")
            assert_processed(status)
        finally:
            app.resources.engine.dispose()
