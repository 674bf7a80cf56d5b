"""`dossier` on the command line: help, campaigns, migrate, extract, settings to children."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dossier.settings import Settings
from services.cli import command, main
from services.runner import settings_env
from storage.db import make_engine
from tests.edges import REPO, jinhua_form_docx

COMMANDS = ["up", "serve", "worker", "relay", "migrate", "extract", "campaigns"]


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


class TestHelp:
    def test_help_lists_every_command(self) -> None:
        out = run_cli("--help")
        assert out.returncode == 0
        for cmd in COMMANDS:
            assert f"    {cmd}" in out.stdout, cmd
        assert "DOSSIER_DATABASE_URL" in out.stdout

    def test_no_command_prints_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main([]) == 2
        assert "COMMAND" in capsys.readouterr().out

    def test_worker_takes_queues(self) -> None:
        with command().make_context("dossier", ["worker", "--queues", "ingest,extract"]) as ctx:
            worker = command().get_command(ctx, "worker")
            args = worker.make_context("worker", ["--queues", "ingest,extract"], parent=ctx)
        assert args.params["queues"] == "ingest,extract"


class TestCampaigns:
    def test_table(self, capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
        assert main(["campaigns"], settings) == 0
        out = capsys.readouterr().out
        assert "jinhua-2015\t机关党建示范点推荐评选" in out and "yueyang-2017" in out

    def test_json(self, capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
        assert main(["campaigns", "--json"], settings) == 0
        data = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
        assert data["yueyang-2017"]["deadline"] == "2017-04-25"


class TestMigrate:
    def test_creates_the_tables(self, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["migrate"], settings) == 0
        engine = make_engine(settings)
        try:
            assert {"submissions", "files", "findings", "outbox"} <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert "数据库" in capsys.readouterr().out


class TestExtract:
    def test_prints_the_contract_json(self, tmp_path: Path) -> None:
        """`dossier extract FILE --campaign ID --json` prints one JSON object and exits 0."""
        path = tmp_path / "推荐表.docx"
        path.write_bytes(jinhua_form_docx())
        out = run_cli("extract", str(path), "--campaign", "jinhua-2015", "--json")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert data["campaign"] == "jinhua-2015"
        assert data["file"]["name"] == "推荐表.docx" and data["file"]["method"] == "docx"
        assert {f["code"] for f in data["findings"]} >= {"eligibility.star_rating"}

    def test_python_dash_m_dossier_is_the_same_command(self, tmp_path: Path) -> None:
        """`python -m dossier extract …` works where the `dossier` script is not on PATH."""
        path = tmp_path / "推荐表.docx"
        path.write_bytes(jinhua_form_docx())
        out = subprocess.run([sys.executable, "-m", "dossier", "extract", str(path), "--campaign", "jinhua-2015",
                              "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert data["campaign"] == "jinhua-2015" and data["file"]["method"] == "docx"
        assert data["documents"][0]["fields"]["org_name"]["value"], "the fields were read"

    def test_unreadable_file_exits_non_zero_with_both_languages(self, tmp_path: Path) -> None:
        path = tmp_path / "x.docx"
        path.write_bytes(b"MZ" + b"\0" * 100)
        out = run_cli("extract", str(path), "--campaign", "jinhua-2015", "--json")
        assert out.returncode != 0
        assert any("\u4e00" <= ch <= "\u9fff" for ch in out.stderr)
        assert any("a" <= ch.lower() <= "z" for ch in out.stderr)


class TestSettingsToChildren:
    def test_round_trip(self, tmp_path: Path) -> None:
        """What `dossier up` hands its children reads back as the same settings."""
        s = Settings(data_dir=tmp_path / "v", max_upload_bytes=123, s3_secure=True, queue_ocr="o2")
        env = settings_env(s)
        assert env["DOSSIER_DATA_DIR"] == str((tmp_path / "v").resolve())
        back = Settings(_env_file=None, **{k.removeprefix("DOSSIER_").lower(): v for k, v in env.items()})
        assert back.max_upload_bytes == 123 and back.s3_secure is True and back.queue_ocr == "o2"
        assert back.resolved_database_url() == s.resolved_database_url()


class TestOcrWorkerStart:
    def test_each_ocr_process_loads_its_models_as_it_starts(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A forked OCR worker process has its models loaded before its first page comes."""
        from celery.signals import worker_process_init

        from services.runner import _load_ocr_on_start
        from workers.extract import ocr_engine

        monkeypatch.setattr(ocr_engine, "_ENGINE", None)
        receiver = _load_ocr_on_start()
        try:
            worker_process_init.send(sender=None)
            deadline = time.monotonic() + 120
            while ocr_engine._ENGINE is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert ocr_engine._ENGINE is not None
        finally:
            worker_process_init.disconnect(receiver)


class TestUpKeepsItsChildren:
    """`dossier up` watches its children: one that dies is started again; one that keeps dying
    stops the rest (a half-running service must not look healthy)."""

    @staticmethod
    def _child(code: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", code])

    def test_a_child_that_dies_is_started_again(self, caplog: pytest.LogCaptureFixture) -> None:
        import threading

        from services.runner import supervise

        starts = {"api": 0, "worker": 0}
        alive: list[subprocess.Popen[bytes]] = []

        def api() -> subprocess.Popen[bytes]:
            starts["api"] += 1
            alive.append(self._child("import time; time.sleep(60)"))
            return alive[-1]

        def worker() -> subprocess.Popen[bytes]:
            starts["worker"] += 1     # dies once, then stays up
            return self._child("import sys; sys.exit(3)" if starts["worker"] == 1 else "import time; time.sleep(60)")

        stopping = threading.Event()
        done: list[int] = []
        t = threading.Thread(target=lambda: done.append(supervise({"api": api, "worker": worker}, stopping,
                                                                  poll_s=0.05)))
        t.start()
        deadline = time.monotonic() + 20
        while starts["worker"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert t.is_alive(), "the service stopped when one child died"
        stopping.set()
        t.join(30)
        assert done == [0]
        assert starts == {"api": 1, "worker": 2}
        assert alive[0].poll() is not None            # stopped at the end
        assert "worker exited (3); starting it again" in caplog.text

    def test_a_child_that_keeps_dying_stops_the_rest(self, caplog: pytest.LogCaptureFixture) -> None:
        import threading

        from services import runner

        api: list[subprocess.Popen[bytes]] = []

        def start_api() -> subprocess.Popen[bytes]:
            api.append(self._child("import time; time.sleep(60)"))
            return api[-1]

        code = runner.supervise({"api": start_api, "relay": lambda: self._child("import sys; sys.exit(2)")},
                                threading.Event(), poll_s=0.05)
        assert code == 1
        assert len(api) == 1 and api[0].poll() is not None
        assert f"relay exited (2) again, {runner.RESTARTS} restarts" in caplog.text
