"""A scan is OCR'd page by page: `ocr.file` stores the pages and starts a chord of
`ocr.page` tasks joined by `ocr.assemble`.

End to end with a real Celery worker, twice (RabbitMQ + PostgreSQL + S3 on moto,
and the embedded filesystem broker + SQLite + folder store), on a 3-page
image-only PDF rendered here; and the page steps as plain functions, with one
page that runs out of time.
"""
from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import SoftTimeLimitExceeded
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import Engine, text

from dossier.settings import Settings
from services.submissions.service import accept_upload, create_submission, submission_status
from storage.db import make_engine, make_sessionmaker, migrate
from storage.objects import ObjectStore, derived_key, open_store
from workers import steps
from workers.celery_app import DossierCelery, make_celery
from workers.relay import Relay

from .conftest import PG_URL, delete_queues, queue_names, unique
from .image_factory import cjk_font_path

ORG = "中共金华市财政局机关支部委员会"


def _page(lines: list[str], table: list[list[str]] | None = None) -> Image.Image:
    """A small printed page: a title and lines, optionally a ruled table of label/value cells."""
    path = cjk_font_path()
    if path is None:
        pytest.skip("no CJK font (fc-list :lang=zh)")
    font = ImageFont.truetype(path, 26)
    img = Image.new("RGB", (1000, 760), "white")
    d = ImageDraw.Draw(img)
    y = 50
    for line in lines:
        d.text((60, y), line, fill=(20, 20, 20), font=font)
        y += 50
    if table:
        cols = [60, 260, 560, 760, 940]
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                x0, x1 = cols[c], cols[c + 1] if c + 1 < len(row) else cols[-1]
                box = (x0, y + r * 70, x1, y + (r + 1) * 70)
                d.rectangle(box, outline=(0, 0, 0), width=2)
                d.text((x0 + 12, box[1] + 20), value, fill=(20, 20, 20), font=font)
    return img


def scanned_pdf() -> bytes:
    """Three pages, images only (no text layer): the 推荐表 first, then two pages of 事迹."""
    pages = [
        _page(["市县机关党建示范点推荐表", "填报单位：中共金华市直属机关工作委员会"],
              [["党组织名称", ORG], ["所在单位类别", "机关", "评定星级", "四星级"],
               ["示范点类型", "服务民生关爱群众", "党员人数", "45"],
               ["曾受表彰情况", "2014年度市级文明单位"]]),
        _page(["主要创建事迹", "支部坚持三会一课制度，", "组织党员走进社区开展志愿服务。"]),
        _page(["附页", "支部建立党员联系群众台账，", "全年走访群众一百余户。"]),
    ]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=100)
    return buf.getvalue()


def upload(settings: Settings, sessions: Any, data: bytes) -> tuple[str, str]:
    """The scan uploaded through the service; returns (submission id, file id)."""
    store = open_store(settings)
    with sessions() as s:
        sub = create_submission(s, campaign_id="jinhua-2015", organisation="金华市某局机关党委")
        row = accept_upload(s, store, settings, submission_id=sub.id, filename="推荐表扫描件.pdf",
                            stream=io.BytesIO(data))
    return sub.id, row.id


# generous: a bound on waiting, not a speed target; on two loaded cores a page of OCR can take 30 s
def run_scan(app: DossierCelery, data: bytes, timeout: float = 150) -> dict:
    settings, sessions = app.settings, app.resources.sessions
    sub_id, _ = upload(settings, sessions, data)
    relay = Relay(settings, app, sessions=sessions)
    deadline = time.monotonic() + timeout
    while True:
        relay.drain_once()
        with sessions() as s:
            status = submission_status(s, sub_id)
        if status["submission"]["state"] == "checked" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def assert_paged(status: dict, store: ObjectStore) -> None:
    """Done once, its fields read, and every page OCR'd by a task of its own (its JSON stored)."""
    [f] = status["files"]
    assert status["submission"]["state"] == "checked", status
    assert (f["state"], f["progress"], f["method"], f["pages"], f["attempts"]) == (
        "done", 100, "ocr", 3, 1), f
    [doc] = [d for d in f["documents"] if d["kind"] == "recommendation_form"]
    assert doc["fields"]["org_name"]["value"] == ORG
    sub_id = status["submission"]["id"]
    assert all(store.exists(derived_key(sub_id, f"{f['sha256']}/ocr/{n}.json")) for n in (1, 2, 3))
    # the page images the reviewer sees are the stored (upright) pages
    assert all(store.exists(derived_key(sub_id, f"{f['sha256']}/pages/{n}.png")) for n in (1, 2, 3))


class TestConfig:
    def test_routes_and_result_backend(self, settings: Settings) -> None:
        """Pages go to the ocr queue, their join to extract; the default result backend is
        Celery's database backend on the app's own database, JSON only, expiring."""
        named = settings.model_copy(update=queue_names("q"))
        app = make_celery(named)
        route = app.amqp.router.route
        assert (route({}, "ocr.file")["queue"].name, route({}, "ocr.page")["queue"].name,
                route({}, "ocr.assemble")["queue"].name) == ("q-ocr", "q-ocr", "q-extract")
        assert app.conf.result_backend == "db+" + settings.resolved_database_url()
        assert app.conf.result_serializer == "json" and app.conf.result_expires == settings.result_expires
        assert make_celery(settings.model_copy(update={"result_backend": "redis://127.0.0.1:6379/0"})
                           ).conf.result_backend == "redis://127.0.0.1:6379/0"

    def test_only_page_results_are_stored(self, settings: Settings) -> None:
        """The chord reads `ocr.page` results; every other task leaves the backend empty."""
        import workers.tasks  # noqa: F401 - registers the tasks
        app = make_celery(settings)
        assert app.tasks["ocr.page"].ignore_result is False
        assert app.tasks["ocr.assemble"].ignore_result and app.tasks["extract.file"].ignore_result


@pytest.mark.services
@pytest.mark.slow
class TestDistributed:
    @pytest.fixture
    def results_url(self) -> Iterator[str]:
        """The result backend in a PostgreSQL schema of its own, dropped afterwards, so that the
        chord's tables stay out of the migrated schema that other tests compare with the models."""
        schema = unique("dossier_results_")
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        try:
            yield f"db+{PG_URL}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()

    @pytest.fixture
    def app(self, s3_settings: Settings, pg_schema_url: str, pg_engine: Engine, amqp_url: str,
            results_url: str) -> Iterator[DossierCelery]:
        names = queue_names(unique("ocr"))
        settings = s3_settings.model_copy(update={
            "database_url": pg_schema_url, "broker_url": amqp_url, "result_backend": results_url,
            **names})
        app = make_celery(settings, broker_heartbeat=0)
        try:
            yield app
        finally:
            delete_queues(app, list(names.values()))
            app.resources.engine.dispose()

    def test_scan_pages_fan_out(self, app: DossierCelery) -> None:
        """GIVEN RabbitMQ, PostgreSQL (with Celery's database result backend) and S3 WHEN a
        3-page scanned PDF is uploaded THEN each page is OCR'd by its own `ocr.page` task, the
        chord joins them and the file is done with its fields read."""
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            status = run_scan(app, scanned_pdf())
        assert_paged(status, app.resources.store)


@pytest.mark.slow
class TestEmbedded:
    def test_scan_pages_fan_out(self, settings: Settings) -> None:
        """The same in embedded mode: filesystem broker, SQLite (results in it too), folder store."""
        migrate(make_engine(settings))
        app = make_celery(settings)
        app.conf.broker_transport_options = {**app.conf.broker_transport_options,
                                             "polling_interval": 0.1}
        assert app.conf.result_backend == f"db+{settings.resolved_database_url()}"
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                status = run_scan(app, scanned_pdf())
            assert_paged(status, app.resources.store)
        finally:
            app.resources.engine.dispose()


@pytest.mark.slow
class TestPageSteps:
    """The three OCR steps as plain functions (what the tasks call), on SQLite and a folder."""

    @pytest.fixture
    def rt(self, settings: Settings, sqlite_engine: Engine) -> steps.Runtime:
        from workers.extract.ocr_reader import ocr_page

        def slow_second_page(image: np.ndarray, page: int, s: Settings) -> tuple[dict, np.ndarray]:
            # what Celery raises in the task when the page's soft time limit passes
            if page == 2:
                raise SoftTimeLimitExceeded()
            return ocr_page(image, page, s)

        return steps.Runtime(settings=settings, sessions=make_sessionmaker(sqlite_engine),
                                store=open_store(settings), ocr_page=slow_second_page)

    def test_a_page_past_its_time_limit_is_a_finding(self, rt: steps.Runtime) -> None:
        """GIVEN a 3-page scan WHEN page 2 runs out of time THEN the file is still done: page 2
        is a Chinese finding, the form on page 1 is read, and the pages done count."""
        sub_id, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        assert steps.ingest_file(rt, file_id) == "queued"
        sent: list[tuple[str, list[steps.PageRef]]] = []
        assert steps.ocr_file(rt, file_id, fan_out=lambda f, p: sent.append((f, p))) == "pages"
        [(fid, pages)] = sent
        assert fid == file_id and [p for p, _ in pages] == [1, 2, 3]
        results = [steps.ocr_page(rt, file_id, p, key) for p, key in pages]
        assert [r["page"] for r in results] == [1, 2, 3] and all(r["json"] for r in results)
        with rt.session() as s:
            assert submission_status(s, sub_id)["files"][0]["progress"] == steps.P_PAGES_DONE
        assert steps.ocr_assemble(rt, file_id, results) == "done"
        # a second join (a redelivered chord) finds the file done and leaves it
        assert steps.ocr_assemble(rt, file_id, results) == "done"
        with rt.session() as s:
            [f] = submission_status(s, sub_id)["files"]
        assert (f["state"], f["pages"], f["attempts"]) == ("done", 3, 1)
        [timeout] = [x for x in f["findings"] if x.get("page") == 2]
        assert timeout["code"] == "file.unreadable" and "超时" in timeout["message"]
        [doc] = [d for d in f["documents"] if d["kind"] == "recommendation_form"]
        assert doc["fields"]["org_name"]["value"] == ORG

    def test_a_join_lost_to_a_database_outage_is_rescued(self, rt: steps.Runtime) -> None:
        """GIVEN a scan whose every page is read but whose chord join never came (its bookkeeping
        met a database outage) WHEN the relay looks for stalled joins THEN it queues the join once,
        the join reads the pages from the store, and the file is done with its fields."""
        import datetime as dt

        from sqlalchemy import select, update

        from storage.models import OutboxMessage, StoredFile, utcnow
        from workers.relay import rescue_joins

        sub_id, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        steps.ingest_file(rt, file_id)
        sent: list[list[steps.PageRef]] = []
        steps.ocr_file(rt, file_id, fan_out=lambda _f, p: sent.append(p))
        for page, key in sent[0]:
            steps.ocr_page(rt, file_id, page, key)
        after = dt.timedelta(seconds=30)
        assert rescue_joins(rt.sessions, after=after) == 0      # a join may still be on its way
        with rt.session() as s:
            s.execute(update(StoredFile).where(StoredFile.id == file_id)
                      .values(updated_at=utcnow() - dt.timedelta(seconds=31)))
            s.commit()
        assert rescue_joins(rt.sessions, after=after) == 1
        assert rescue_joins(rt.sessions, after=after) == 0      # once, not every pass
        with rt.session() as s:
            [msg] = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "ocr.assemble")).all()
        assert msg.payload["args"] == [None, file_id]
        assert steps.ocr_assemble(rt, file_id, None) == "done"
        with rt.session() as s:
            [f] = submission_status(s, sub_id)["files"]
        [doc] = [d for d in f["documents"] if d["kind"] == "recommendation_form"]
        assert doc["fields"]["org_name"]["value"] == ORG and f["attempts"] == 1

    def test_a_text_pdf_is_read_in_one_task(self, rt: steps.Runtime) -> None:
        """GIVEN a PDF with a text layer WHEN ocr.file runs THEN it is extracted there, no fan-out."""
        from .test_pdf_reader import make_pdf
        line = b"BT /F1 12 Tf 72 720 Td (This page has a text layer with plenty of characters.) Tj ET"
        pdf = make_pdf([
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(line)} >>\nstream\n{line.decode()}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
        _, file_id = upload(rt.settings, rt.sessions, pdf)
        steps.ingest_file(rt, file_id)
        assert steps.ocr_file(rt, file_id, fan_out=lambda *a: pytest.fail("fanned out")) == "done"
