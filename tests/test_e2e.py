"""A submission end to end: uploaded through the HTTP API, processed by real
Celery workers, recorded in the database, its findings read back through the API.

Two layouts, the same assertions:
- embedded: `dossier up` as a user runs it (SQLite + folder + filesystem broker),
  stopped with SIGINT like Ctrl-C;
- services: RabbitMQ, PostgreSQL and S3 (moto's server, through the MinIO client),
  with `dossier worker` and `dossier relay` as separate processes, as deployed.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dossier.settings import Settings
from services.app import create_app
from storage.objects import open_store
from tests.conftest import delete_queues, queue_names, unique
from tests.edges import (ARTIFACTS, BAD_INPUTS, codes_by_name, dossier_env, extraction_ready, free_port,
                         jinhua_form_docx, running, wait_final, wait_http, zip_bomb_docx)

UNZIP_LIMIT = 2 * 1024 * 1024
UPLOAD_LIMIT = 1024 * 1024

FORM = "推荐表.docx"
BOMB = "炸弹.docx"
TRAVERSAL = "../../x.docx"


def submit_all(post: Callable[..., Any], get: Callable[[str], Any]) -> tuple[str, dict[str, bytes]]:
    """Create a submission and upload the form and every bad input; returns its id and the bytes sent."""
    r = post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "金华市某某局机关党委"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    # the traversal name first: the form uploaded after it is the newer 推荐表 and replaces it
    sent = {TRAVERSAL: jinhua_form_docx(org_name="中共金华市另一个局机关支部委员会"), FORM: jinhua_form_docx(),
            BOMB: zip_bomb_docx(4 * UNZIP_LIMIT)}
    for name, (data, _code) in BAD_INPUTS.items():
        sent[name] = data() if callable(data) else data
    files = [("files", (name, data, "application/octet-stream")) for name, data in sent.items()]
    r = post(f"/api/submissions/{sid}/files", files=files)
    assert r.status_code == 202, r.text
    assert len(r.json()["files"]) == len(sent)
    # over the limit: refused whole, with nothing stored
    r = post(f"/api/submissions/{sid}/files", files=[("files", ("大.pdf", b"%PDF-1.4" + b"0" * UPLOAD_LIMIT))])
    assert r.status_code == 413 and r.json()["error"] == "upload.too_large"
    return sid, sent


def check_outcome(status: dict[str, Any], sent: dict[str, bytes], download: Callable[[str], bytes]) -> None:
    """Every file final, each bad input with its contract code, originals kept byte for byte."""
    assert status["summary"]["final"], status
    by_name = {f["name"]: f for f in status["files"]}
    every = {f["name"]: f for f in status["files"] + status["history"]}
    assert set(every) == {("x.docx" if n == TRAVERSAL else n) for n in sent}   # the 413 file is absent
    # the older 推荐表 is history: a newer file of its kind replaced it
    assert [h["name"] for h in status["history"]] == ["x.docx"]
    assert all(f["state"] == "done" for f in status["files"]), [(f["name"], f["state"], f["error"])
                                                              for f in status["files"]]
    for name, data in sent.items():
        f = every["x.docx" if name == TRAVERSAL else name]
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert download(f"/api/submissions/{status['submission']['id']}/files/{f['id']}/original") == data
    if not extraction_ready():
        pytest.skip("workers.extraction has not landed: states checked, findings not")
    codes = codes_by_name(status)
    for name, (_data, code) in BAD_INPUTS.items():
        assert code in codes[name], (name, codes[name])
    assert "file.unreadable" in codes[BOMB]
    # the generated form: 3星级 is not eligible, and its opinion carries no seal
    assert {"eligibility.star_rating", "seal.missing"} <= codes[FORM]
    form = by_name[FORM]
    (doc,) = [d for d in form["documents"] if d["kind"] == "recommendation_form"]
    labels = {r["key"]: (r["label"], r["value"]) for r in doc["rows"]}
    assert labels["org_name"] == ("党组织名称", "中共金华市某某局机关支部委员会")
    assert labels["star_rating"] == ("评定星级", 3)
    assert labels["secretary.birth"] == ("党组织书记情况 · 出生年月", "1975-03")
    finding = next(x for x in form["findings"] if x["code"] == "eligibility.star_rating")
    assert finding["label"] == "评定星级" and finding["severity"] == "error"


# -------------------------------------------------------------------- embedded

@pytest.fixture
def embedded_service(tmp_path: Path) -> Iterator[str]:
    """`dossier up` on a free port, data under tmp_path; yields its base URL."""
    port = free_port()
    settings = Settings(data_dir=tmp_path / "var", port=port, max_upload_bytes=UPLOAD_LIMIT,
                        max_unzipped_bytes=UNZIP_LIMIT)
    log = ARTIFACTS / "logs" / f"dossier-up-{port}.log"
    with running(["up", "--concurrency", "2"], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield base
        # Ctrl-C: every part stops and the runner exits cleanly
        proc.send_signal(2)
        assert proc.wait(timeout=40) == 0, log.read_text(errors="replace")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/healthz", timeout=1)


class TestEmbedded:
    def test_upload_process_and_read_back(self, embedded_service: str, tmp_path: Path) -> None:
        """GIVEN `dossier up` WHEN a unit uploads a form and bad files THEN each ends done with its finding."""
        with httpx.Client(base_url=embedded_service, timeout=30) as http:
            sid, sent = submit_all(http.post, http.get)
            status = wait_final(lambda: http.get(f"/api/submissions/{sid}").json())
            # stored under the sha256, inside the data folder: never at the path the name suggests
            sha = hashlib.sha256(sent[TRAVERSAL]).hexdigest()
            assert (tmp_path / "var" / "objects" / "submissions" / sid / "originals" / f"{sha}.docx").is_file()
            assert not (tmp_path / "x.docx").exists() and not (tmp_path.parent / "x.docx").exists()
            findings = http.get(f"/api/submissions/{sid}/findings").json()
            assert findings["final"] is True
            assert findings["errors"] == sum(1 for f in findings["findings"] if f["severity"] == "error")
            check_outcome(status, sent, lambda url: http.get(url).content)


# -------------------------------------------------------------------- services

@pytest.mark.services
class TestServices:
    def test_rabbitmq_postgresql_s3(self, s3_settings: Settings, pg_schema_url: str, pg_engine: Engine,
                                    amqp_url: str) -> None:
        """GIVEN workers and relay on RabbitMQ, PostgreSQL and S3 WHEN files are uploaded through the
        API THEN they are processed and their findings read back; the objects are in the bucket."""
        settings = s3_settings.model_copy(update={
            "database_url": pg_schema_url, "broker_url": amqp_url, "max_upload_bytes": UPLOAD_LIMIT,
            "max_unzipped_bytes": UNZIP_LIMIT, **queue_names(unique("e2e"))})
        store = open_store(settings)
        env = dossier_env(settings)
        logs = ARTIFACTS / "logs"
        from workers.celery_app import make_celery
        try:
            with running(["worker", "--concurrency", "2"], env, logs / "services-worker.log"), \
                    running(["relay"], env, logs / "services-relay.log"), \
                    TestClient(create_app(settings, engine=pg_engine, store=store)) as http:
                sid, sent = submit_all(http.post, http.get)
                status = wait_final(lambda: http.get(f"/api/submissions/{sid}").json())
                keys = set(store.list(f"submissions/{sid}/originals"))
                assert len(keys) == len(sent)
                sha = hashlib.sha256(sent[TRAVERSAL]).hexdigest()
                assert f"submissions/{sid}/originals/{sha}.docx" in keys
                check_outcome(status, sent, lambda url: http.get(url).content)
        finally:
            delete_queues(make_celery(settings), [settings.queue_ingest, settings.queue_extract,
                                                  settings.queue_ocr, settings.queue_packets])


def test_wait_final_gives_up() -> None:
    """The poller returns the last status when nothing becomes final (no endless test)."""
    t = time.monotonic()
    st = wait_final(lambda: {"summary": {"final": False}}, timeout=0.6)
    assert st["summary"]["final"] is False and time.monotonic() - t < 3
