"""What an operator watches and does: files by state, throughput, failures, the outbox, Celery
queue depths (real RabbitMQ), reviewer load; the page, JSON and Prometheus text agree; a parked
file is sent again and reaches a result; only operators and admins see any of it."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from kombu import Connection, Exchange, Queue
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from services.auth import accounts
from services.ops import actions, broker, metrics
from services.review import flow
from services.security import audit
from services.kit.errors import DomainError
from services.submissions.service import create_submission
from storage.db import make_sessionmaker
from storage.models import OutboxMessage, StoredFile, utcnow
from storage.objects import open_store
from storage.review_models import ReviewTask
from tests.conftest import queue_names
from tests.review_helpers import PASSWORD, person, submission
from tests.test_auth_access import app_settings, login, make_client  # noqa: F401 (fixtures)
from workers import steps
from workers.celery_app import make_celery

NOW = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.timezone.utc)


def _file(s: Session, sid: str, n: int, state: str, *, finished: dt.datetime | None = None,
          took: float = 2.0, method: str | None = "docx", error: str | None = None) -> StoredFile:
    created = (finished - dt.timedelta(seconds=took)) if finished else NOW - dt.timedelta(minutes=n + 1)
    row = StoredFile(submission_id=sid, name=f"f{n}.docx", sha256=f"{n:064d}", size=1, object_key=f"k/{n}",
                     state=state, method=method, created_at=created, finished_at=finished, error=error,
                     attempts=5 if state == "failed" else 1)
    s.add(row)
    return row


class TestFigures:
    def test_files_throughput_failures_outbox_and_review_load(self, session: Session) -> None:
        """GIVEN files in every state, finished at known hours, a parked file, unsent outbox rows and
        an overdue reviewer task THEN the snapshot counts each exactly."""
        sid = submission(session, "yueyang-2017", "甲局机关党支部")
        _file(session, sid, 1, "stored")
        _file(session, sid, 2, "queued")
        _file(session, sid, 3, "processing")
        for i, minutes in enumerate((5, 10, 20)):          # three Word files this hour
            _file(session, sid, 10 + i, "done", finished=NOW - dt.timedelta(minutes=minutes), took=2 + i)
        _file(session, sid, 20, "done", finished=NOW - dt.timedelta(hours=2, minutes=1), method="ocr", took=30)
        _file(session, sid, 21, "done", finished=NOW - dt.timedelta(hours=30))   # outside the day
        _file(session, sid, 30, "failed", finished=NOW - dt.timedelta(minutes=3), error="文件处理超时")
        session.add(OutboxMessage(topic="ingest.file", payload={"args": []}, created_at=NOW - dt.timedelta(seconds=90)))
        session.add(OutboxMessage(topic="ingest.file", payload={"args": []}, created_at=NOW, attempts=2,
                                  last_error="ConnectionRefusedError"))
        session.commit()
        flow.start_review(session, None, sid, now=NOW - dt.timedelta(days=20))    # due_days 15: overdue

        snap = metrics.snapshot(session, Settings(), now=NOW, broker=False)
        assert snap.files == {"stored": 1, "queued": 1, "processing": 1, "done": 5, "failed": 1}
        assert snap.oldest_waiting_s == pytest.approx(4 * 60)      # the stored file, uploaded 4 minutes ago
        hours = snap.finished_per_hour
        assert len(hours) == 24 and hours[-1]["hour"].startswith("2026-11-27T10:00")
        assert (hours[-1]["done"], hours[-1]["failed"]) == (3, 1)
        assert hours[-3]["done"] == 1 and sum(h["done"] for h in hours) == 4
        assert snap.seconds_by_method["docx"] == {"count": 3, "median": 3.0, "p95": 4.0}
        assert snap.seconds_by_method["ocr"]["median"] == 30.0
        assert [f["error"] for f in snap.failures] == ["文件处理超时"]
        assert snap.outbox == {"pending": 2, "oldest_s": 90.0, "failing": 1, "last_error": "ConnectionRefusedError"}
        (load,) = snap.review
        assert (load["stage_id"], load["open"], load["overdue"]) == ("bureau_review", 1, 1)
        assert snap.queues == [] and snap.broker_error is None


@pytest.mark.services
class TestBroker:
    def test_queue_depths_and_workers_from_rabbitmq(self, amqp_url: str, tmp_path: Any) -> None:
        """GIVEN three messages waiting in this test's extract queue and no worker on it THEN the
        depths say 3 there with no consumer, the queues never declared say so, and the workers
        that answer the ping (on a shared broker, other runs' workers may) come back as a list."""
        names = queue_names(f"ops-{uuid.uuid4().hex[:8]}")
        settings = Settings(data_dir=tmp_path, broker_url=amqp_url, **names)
        app = make_celery(settings)
        try:
            with Connection(amqp_url) as conn:
                q = Queue(names["queue_extract"], Exchange(""), routing_key=names["queue_extract"], durable=True)
                producer = conn.Producer()
                for i in range(3):
                    producer.publish({"n": i}, routing_key=q.routing_key, declare=[q], serializer="json")
            depths, workers, error = broker.broker_queues(settings, app)
            by_role = {d.role: d for d in depths}
            assert error is None and isinstance(workers, list)
            assert (by_role["extract"].messages, by_role["extract"].consumers) == (3, 0)
            assert by_role["ocr"].messages is None and by_role["ocr"].error == "not declared"
        finally:
            from tests.conftest import delete_queues
            delete_queues(app, list(names.values()))

    def test_a_broker_that_is_down_is_reported_not_raised(self, tmp_path: Any) -> None:
        import socket
        with socket.socket() as sock:                     # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        settings = Settings(data_dir=tmp_path, broker_url=f"amqp://guest:guest@127.0.0.1:{port}//",
                            ops_broker_timeout=0.5)
        depths, workers, error = broker.broker_queues(settings)
        assert error and workers is None and all(d.messages is None for d in depths)


class TestRetry:
    def test_a_parked_file_goes_through_again(self, settings: Settings, sessions: sessionmaker[Session],
                                              jinhua_docx: bytes) -> None:
        """GIVEN a real upload parked as failed WHEN an operator retries it THEN it is queued from the
        start (outbox ingest.file), the audit log says who, and the pipeline reads it to the end."""
        import io

        from services.submissions.service import accept_upload
        with sessions() as s:
            op = person(s, "op", "operator")
            sid = create_submission(s, campaign_id="jinhua-2015", organisation="某局", recommender="市直机关工委").id
            row = accept_upload(s, open_store(settings), settings, submission_id=sid, filename="推荐表.docx",
                                stream=io.BytesIO(jinhua_docx))
            row.state, row.attempts, row.error = "failed", 5, "文件多次处理均未成功，已转人工处理。"
            s.commit()
            with pytest.raises(DomainError) as refused:
                actions.retry_file(s, op, "nope")
            assert refused.value.status_code == 404
            actions.retry_file(s, op, row.id)
            assert (row.state, row.attempts, row.error) == ("stored", 0, None)
            msg = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
            assert (msg.topic, msg.payload["args"]) == ("ingest.file", [row.id])
            entry = audit.history(s, sid)[-1]
            assert (entry.action, entry.actor, entry.detail["attempts"]) == ("file_retry", "op", 5)
            with pytest.raises(DomainError) as again:
                actions.retry_file(s, op, row.id)          # not failed any more
            assert again.value.status_code == 409
            fid = row.id
        rt = steps.Runtime(settings, sessions, open_store(settings))
        assert steps.ingest_file(rt, fid) == "queued"
        assert steps.extract_file(rt, fid) == "done"


@pytest.fixture
def staff(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="op", password=PASSWORD, role="operator")
        accounts.create_user(s, username="unit-a", password=PASSWORD, role="unit", organisation="甲局机关党支部")
        accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer", stage_id="bureau_review")
        sid = submission(s, "yueyang-2017", "甲局机关党支部")
        _file(s, sid, 1, "failed", finished=utcnow(), error="文件处理超时，已转人工处理。")
        s.commit()


@pytest.mark.usefixtures("staff")
class TestPages:
    def test_only_operators_and_admins(self, make_client: Any) -> None:
        anon = make_client()
        assert anon.get("/ops", follow_redirects=False).headers["location"].startswith("/login")
        assert anon.get("/api/ops").status_code == 401 and anon.get("/metrics").status_code == 401
        for name in ("unit-a", "bureau"):
            c = make_client()
            login(c, name)
            assert c.get("/ops").status_code == 403 and c.get("/api/ops").status_code == 403
            assert c.get("/metrics").status_code == 403

    def test_page_json_and_prometheus_agree_and_retry_from_the_page(self, make_client: Any,
                                                                    sqlite_engine: Engine) -> None:
        op = make_client()
        csrf = login(op, "op")                             # an operator lands on /ops
        page = op.get("/ops").text
        assert "运行监控" in page and "文件处理超时，已转人工处理。" in page
        assert re.search(r'data-state="failed">\s*<div class="meta">处理失败</div><div class="num">1<', page)
        data = op.get("/api/ops").json()
        assert data["files"]["failed"] == 1 and data["failures"][0]["name"] == "f1.docx"
        assert {q["role"] for q in data["queues"]} == {"ingest", "extract", "ocr", "packets"}
        text = op.get("/metrics").text
        assert 'dossier_files{state="failed"} 1.0' in text and "dossier_outbox_pending 0.0" in text
        fid = data["failures"][0]["file_id"]
        assert op.post(f"/ops/files/{fid}/retry", data={}, follow_redirects=False).status_code == 403  # no CSRF
        r = op.post(f"/ops/files/{fid}/retry", data={"csrf_token": csrf})
        assert "已重新排队处理：f1.docx" in r.text
        assert op.get("/api/ops").json()["files"]["failed"] == 0
        assert 'dossier_outbox_pending 1.0' in op.get("/metrics").text
        r = op.post(f"/ops/files/{fid}/retry", data={"csrf_token": csrf})
        assert "只有处理失败的文件才能重新处理" in r.text


def _contested(s: Session) -> None:
    """Three seal.missing and one field.missing on a unit's submission (and one on a 自查); the unit
    contests two seals and the missing field; in review the bureau confirms one seal and upholds the
    other."""
    from services.review import findings as contests
    from services.review import queue
    from services.security.access import record_owner
    from storage.models import FindingRow

    unit = person(s, "unit-c", "unit", organisation="丙局机关党支部")
    bureau = person(s, "bureau-c", "reviewer", stage_id="bureau_review")
    sid = submission(s, "yueyang-2017", "丙局机关党支部")
    record_owner(s, unit, sid)
    rows = [FindingRow(submission_id=sid, code=code, severity="error", field=field, message=f"{code} {n}")
            for n, (code, field) in enumerate([("seal.missing", "opinion.party_group")] * 3
                                               + [("field.missing", "contact.phone")])]
    s.add_all(rows)
    # a 自查 (never submitted, never contested) with the same finding does not count
    from storage.models import Submission
    self_check = Submission(campaign_id="yueyang-2017", organisation="自查", kind="self_check")
    s.add(self_check)
    s.flush()
    s.add(FindingRow(submission_id=self_check.id, code="seal.missing", severity="error",
                     field="opinion.party_group", message="seal.missing"))
    s.commit()
    for row in (rows[0], rows[1], rows[3]):
        contests.contest(s, unit, sid, row.id, "原件上有")
    flow.start_review(s, None, sid)
    task = s.scalar(select(ReviewTask).where(ReviewTask.submission_id == sid))
    queue.claim(s, bureau, task.id, lease_seconds=600)
    contests.judge_contest(s, bureau, task.id, rows[0].id, upheld=False, note=None)
    contests.judge_contest(s, bureau, task.id, rows[1].id, upheld=True, note="原件确未盖章")


class TestContests:
    def test_contested_and_upheld_per_code(self, session: Session) -> None:
        """GIVEN units' 识别有误 and reviewers' verdicts THEN the snapshot counts them per code with the
        share of findings contested and the share of judged contests upheld; Prometheus says the same."""
        from services.ops.prometheus import exposition

        _contested(session)
        snap = metrics.snapshot(session, Settings(), broker=False)
        by_code = {c["code"]: c for c in snap.contests}
        seal, missing = by_code["seal.missing"], by_code["field.missing"]
        assert (seal["findings"], seal["contested"], seal["confirmed"], seal["upheld"], seal["pending"]) == (3, 2, 1, 1, 0)
        assert (seal["contest_rate"], seal["upheld_rate"], seal["label"]) == (0.667, 0.5, "未盖章")
        assert (missing["contested"], missing["pending"], missing["upheld_rate"]) == (1, 1, None)
        assert [c["code"] for c in snap.contests] == ["seal.missing", "field.missing"]
        text = exposition(snap).decode()
        assert 'dossier_finding_contests{code="seal.missing",outcome="upheld"} 1.0' in text
        assert 'dossier_findings{code="seal.missing"} 3.0' in text

    def test_page_and_json_show_them(self, make_client: Any, sqlite_engine: Engine) -> None:
        with make_sessionmaker(sqlite_engine)() as s:
            _contested(s)
            person(s, "op", "operator")
        op = make_client()
        login(op, "op")
        data = op.get("/api/ops").json()
        assert {c["code"]: c["contested"] for c in data["contests"]} == {"seal.missing": 2, "field.missing": 1}
        page = op.get("/ops").text
        row = re.search(r'<tr data-code="seal.missing">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
        assert "未盖章" in row and "67%" in row and "50%" in row
