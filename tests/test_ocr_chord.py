"""A scan is OCR'd page by page: `ocr.file` stores the pages and queues one `ocr.page` task
each; the last page read queues `ocr.assemble` through the outbox (no chord, no result backend).

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
from services.files.service import submission_status
from services.submissions.service import accept_upload, create_submission
from storage.db import make_engine, make_sessionmaker, migrate
from storage.objects import ObjectStore, derived_key, open_store
from workers import steps
from workers.celery_app import DossierCelery, make_celery
from workers.relay import Relay

from .conftest import delete_queues, queue_names, unique
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
    def test_routes_and_no_result_backend(self, settings: Settings) -> None:
        """Pages go to the ocr queue, their join to extract; there is no result backend."""
        named = settings.model_copy(update=queue_names("q"))
        app = make_celery(named)
        route = app.amqp.router.route
        assert (route({}, "ocr.file")["queue"].name, route({}, "ocr.page")["queue"].name,
                route({}, "ocr.assemble")["queue"].name) == ("q-ocr", "q-ocr", "q-extract")
        assert app.conf.result_backend is None

    def test_no_task_stores_a_result_and_pages_have_their_own_limits(self, settings: Settings) -> None:
        """Every task ignores its result; a page runs under the page's time limits, a file under
        the file's."""
        paged = settings.model_copy(update={"ocr_page_time_limit": 77})
        app = make_celery(paged)
        app.loader.import_default_modules()
        ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
        assert ours and all(t.ignore_result for t in ours)
        page, whole = app.tasks["ocr.page"], app.tasks["ocr.file"]
        assert (page.soft_time_limit, page.time_limit) == (77, 107)
        assert (whole.soft_time_limit, whole.time_limit) == (paged.task_soft_time_limit,
                                                             paged.task_time_limit)


@pytest.mark.services
@pytest.mark.slow
class TestDistributed:
    @pytest.fixture
    def app(self, s3_settings: Settings, pg_schema_url: str, pg_engine: Engine,
            amqp_url: str) -> Iterator[DossierCelery]:
        names = queue_names(unique("ocr"))
        settings = s3_settings.model_copy(update={
            "database_url": pg_schema_url, "broker_url": amqp_url, **names})
        app = make_celery(settings, broker_heartbeat=0)
        try:
            yield app
        finally:
            delete_queues(app, list(names.values()))
            app.resources.engine.dispose()

    def test_scan_pages_fan_out(self, app: DossierCelery) -> None:
        """GIVEN RabbitMQ, PostgreSQL and S3 WHEN a 3-page scanned PDF is uploaded THEN each page
        is OCR'd by its own `ocr.page` task, the last one queues the join, and the file is done
        with its fields read; no result table is made."""
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            status = run_scan(app, scanned_pdf())
        assert_paged(status, app.resources.store)
        with app.resources.engine.connect() as conn:      # the app's own schema (search_path)
            tables = conn.execute(text("SELECT table_name FROM information_schema.tables WHERE "
                                       "table_schema = current_schema() AND table_name LIKE 'celery%'")
                                  ).scalars().all()
        assert tables == []


@pytest.mark.slow
class TestEmbedded:
    def test_scan_pages_fan_out(self, settings: Settings) -> None:
        """The same in embedded mode: filesystem broker, SQLite, folder store."""
        migrate(make_engine(settings))
        app = make_celery(settings)
        app.conf.broker_transport_options = {**app.conf.broker_transport_options,
                                             "polling_interval": 0.1}
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                status = run_scan(app, scanned_pdf())
            assert_paged(status, app.resources.store)
        finally:
            app.resources.engine.dispose()


def queued(rt: steps.Runtime, topic: str) -> list[list[Any]]:
    """The arguments of the outbox rows for `topic`, oldest first."""
    from sqlalchemy import select

    from storage.models import OutboxMessage
    with rt.session() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic)
                         .order_by(OutboxMessage.id))
        return [m.payload["args"] for m in rows]


@pytest.mark.slow
class TestPageSteps:
    """The three OCR steps as plain functions (what the tasks call), on SQLite and a folder."""

    @pytest.fixture
    def rt(self, settings: Settings, sqlite_engine: Engine) -> steps.Runtime:
        from workers.extract.ocr_reader import ocr_page

        def slow_second_page(image: np.ndarray, page: int, s: Settings, **kw: Any) -> tuple[dict, np.ndarray]:
            # what Celery raises in the task when the page's soft time limit passes
            if page == 2:
                raise SoftTimeLimitExceeded()
            return ocr_page(image, page, s, **kw)

        return steps.Runtime(settings=settings, sessions=make_sessionmaker(sqlite_engine),
                             store=open_store(settings), ocr_page=slow_second_page)

    def test_a_page_past_its_time_limit_is_a_finding(self, rt: steps.Runtime) -> None:
        """GIVEN a 3-page scan WHEN page 2 runs out of time THEN the file is still done: page 2
        is a Chinese finding, the form on page 1 is read, and the pages done count."""
        sub_id, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        assert steps.ingest_file(rt, file_id) == "queued"
        assert steps.ocr_file(rt, file_id) == "pages"
        pages = queued(rt, "ocr.page")
        assert [(f, p) for f, p, _ in pages] == [(file_id, 1), (file_id, 2), (file_id, 3)]
        assert [steps.ocr_page(rt, f, p, key) for f, p, key in pages] == ["read"] * 3
        with rt.session() as s:
            assert submission_status(s, sub_id)["files"][0]["progress"] == steps.P_PAGES_DONE
        assert queued(rt, "ocr.assemble") == [[None, file_id]]
        assert steps.ocr_assemble(rt, file_id, None) == "done"
        # a second join (a redelivered message) finds the file done and leaves it
        assert steps.ocr_assemble(rt, file_id, None) == "done"
        with rt.session() as s:
            [f] = submission_status(s, sub_id)["files"]
        assert (f["state"], f["pages"], f["attempts"]) == ("done", 3, 1)
        [timeout] = [x for x in f["findings"] if x.get("page") == 2]
        assert timeout["code"] == "file.unreadable" and "超时" in timeout["message"]
        [doc] = [d for d in f["documents"] if d["kind"] == "recommendation_form"]
        assert doc["fields"]["org_name"]["value"] == ORG

    def test_the_last_page_read_queues_the_join_once(self, rt: steps.Runtime) -> None:
        """GIVEN a 3-page scan whose pages finish out of order WHEN the last one is read THEN it,
        and only it, queues the join through the outbox, once, even when a page comes again;
        the join reads the pages from the store and the file is done with its fields."""
        sub_id, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        steps.ingest_file(rt, file_id)
        steps.ocr_file(rt, file_id)
        key = {p: k for _, p, k in queued(rt, "ocr.page")}
        assert steps.ocr_page(rt, file_id, 3, key[3]).next == ()
        assert steps.ocr_page(rt, file_id, 1, key[1]).next == ()
        assert queued(rt, "ocr.assemble") == []
        assert steps.ocr_page(rt, file_id, 2, key[2]).next == ("ocr.assemble",)
        assert steps.ocr_page(rt, file_id, 2, key[2]) == "read"      # delivered again
        assert queued(rt, "ocr.assemble") == [[None, file_id]]
        assert steps.ocr_assemble(rt, file_id, None) == "done"
        with rt.session() as s:
            [f] = submission_status(s, sub_id)["files"]
        [doc] = [d for d in f["documents"] if d["kind"] == "recommendation_form"]
        assert doc["fields"]["org_name"]["value"] == ORG and f["attempts"] == 1

    def test_a_scan_split_again_waits_for_its_own_pages(self, rt: steps.Runtime) -> None:
        """GIVEN a scan whose pages were all read once WHEN it is split again (the reconciler
        after a stall) THEN the pages the first split left do not count: the join comes with
        the last page of the new split, not the first."""
        import dataclasses
        quick = dataclasses.replace(rt, ocr_page=lambda image, page, _s, **_: ({"page": page}, image))
        _, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        steps.ingest_file(quick, file_id)
        steps.ocr_file(quick, file_id)
        first = queued(quick, "ocr.page")
        assert [steps.ocr_page(quick, *args).next for args in first][-1] == ("ocr.assemble",)
        assert steps.ocr_file(quick.for_execution(), file_id) == "pages"
        second = queued(quick, "ocr.page")[len(first):]
        assert [steps.ocr_page(quick, *args).next for args in second] == [(), (), ("ocr.assemble",)]
        assert len(queued(quick, "ocr.assemble")) == 2

    def test_a_two_up_sheets_pages_are_read_as_halves_of_one(self, rt: steps.Runtime) -> None:
        """GIVEN a scan of two pages printed on one sheet, and a plain 3-page scan WHEN their pages
        are split into page tasks and read THEN each half of the sheet reaches the page reader
        told that it is one (its own edges are not in the image); no page of the plain scan is."""
        import dataclasses

        from tests.image_factory import two_up
        told: list[tuple[int, bool]] = []

        def note(image: np.ndarray, page: int, _s: Settings, *, two_up: bool = False) -> tuple[dict, np.ndarray]:
            told.append((page, two_up))
            return {"page": page}, image
        quick = dataclasses.replace(rt, ocr_page=note)
        form = _page(["市县机关党建示范点推荐表"], [["党组织名称", ORG], ["党员人数", "45"]])
        buf = io.BytesIO()
        two_up(form, form).save(buf, "PDF", resolution=100)
        for data, want in ((buf.getvalue(), [(1, True), (2, True)]),
                           (scanned_pdf(), [(1, False), (2, False), (3, False)])):
            told.clear()
            _, file_id = upload(rt.settings, rt.sessions, data)
            steps.ingest_file(quick, file_id)
            assert steps.ocr_file(quick, file_id) == "pages"
            for f, page, key in queued(quick, "ocr.page"):
                if f == file_id:
                    steps.ocr_page(quick, f, page, key)
            assert told == want

    def test_a_scan_over_the_size_limit_is_refused_before_its_pages_are_drawn(
            self, rt: steps.Runtime) -> None:
        """GIVEN a scan stored under one size limit WHEN it is split under a smaller one THEN it is
        file.unreadable in Chinese with the limit, and no page is rendered or queued."""
        import dataclasses
        sub_id, file_id = upload(rt.settings, rt.sessions, scanned_pdf())
        steps.ingest_file(rt, file_id)
        small = dataclasses.replace(rt, settings=rt.settings.model_copy(update={"max_upload_bytes": 2048}))
        assert steps.ocr_file(small, file_id) == "done"
        assert queued(rt, "ocr.page") == []
        with rt.session() as s:
            [f] = submission_status(s, sub_id)["files"]
        [finding] = f["findings"]
        assert finding["code"] == "file.unreadable" and "MB" in finding["message"], finding

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
        assert steps.ocr_file(rt, file_id) == "done"
        assert queued(rt, "ocr.page") == []
