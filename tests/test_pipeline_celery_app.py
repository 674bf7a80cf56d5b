"""The Celery app's configuration: what the reliability notes in design.md ask for."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dossier.settings import Settings
from workers.celery_app import make_celery

TASKS = {"ingest.file": "ingest", "extract.file": "extract", "ocr.file": "ocr",
         "check.submission": "ingest"}


class TestMakeCelery:
    def test_reliability_settings(self, settings: Settings) -> None:
        """JSON only, late acks, rejected on worker loss, prefetch 1, limits below 30 minutes."""
        conf = make_celery(settings).conf
        assert conf.task_serializer == "json" and list(conf.accept_content) == ["json"]
        assert conf.task_acks_late and conf.task_reject_on_worker_lost
        assert conf.worker_prefetch_multiplier == 1
        assert conf.task_soft_time_limit < conf.task_time_limit < 30 * 60
        assert conf.task_time_limit == settings.task_time_limit

    @pytest.mark.parametrize("task,role", sorted(TASKS.items()))
    def test_routes(self, settings: Settings, task: str, role: str) -> None:
        """Each task goes to its named queue; the names come from the settings."""
        named = settings.model_copy(update={f"queue_{r}": f"q-{r}" for r in ("ingest", "extract", "ocr")})
        app = make_celery(named)
        app.loader.import_default_modules()
        assert task in app.tasks
        assert app.amqp.router.route({}, task)["queue"].name == f"q-{role}"

    def test_tasks_wait_out_outages_without_spending_attempts(self, settings: Settings,
                                                               sqlite_engine: object) -> None:
        """GIVEN a store that is unreachable for its first reads WHEN extract.file runs THEN the task
        waits it out in the same execution and the file is done with one attempt."""
        import io

        import urllib3.exceptions

        from services.submissions.service import accept_upload, create_submission
        from storage.models import StoredFile
        from storage.objects import open_store
        from workers import steps
        from tests.conftest import make_docx

        quick = settings.model_copy(update={"transient_backoff_max": 0.2})
        app = make_celery(quick)
        app.loader.import_default_modules()
        real = open_store(quick)

        class Flaky:
            """The folder store, refusing its first `down` opens as a dead S3 would."""
            down = 3

            def __getattr__(self, name: str) -> object:
                return getattr(real, name)

            def open(self, key: str) -> object:
                if Flaky.down:
                    Flaky.down -= 1
                    raise urllib3.exceptions.MaxRetryError(None, key, "connection refused")  # type: ignore[arg-type]
                return real.open(key)

        app.use_resources(sqlite_engine, Flaky())  # type: ignore[arg-type]
        sessions = app.resources.sessions
        with sessions() as s:
            sub = create_submission(s, campaign_id="jinhua-2015", organisation="某局")
            row = accept_upload(s, real, quick, submission_id=sub.id, filename="a.docx",
                                stream=io.BytesIO(make_docx(["推荐表"])))
        assert steps.ingest_file(steps.Runtime(quick, sessions, real), row.id) == "queued"
        assert app.tasks["extract.file"].apply(args=(row.id,)).get() == "done"
        with sessions() as s:
            got = s.get(StoredFile, row.id)
            assert got is not None and (got.state, got.attempts, Flaky.down) == ("done", 1, 0)

    def test_embedded_broker_lives_under_data_dir(self, settings: Settings) -> None:
        """Embedded mode: kombu's filesystem transport in the data folder, no server."""
        app = make_celery(settings)
        opts = app.conf.broker_transport_options
        assert app.conf.broker_url == "filesystem://"
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            assert opts[key].startswith(str(settings.broker_folder()))

    def test_amqp_confirms_publishes(self, settings: Settings) -> None:
        app = make_celery(settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:5672//"}))
        assert app.conf.broker_transport_options["confirm_publish"] is True

    def test_nothing_is_built_at_import(self, tmp_path: Path) -> None:
        """Importing the modules builds no app, engine or store; `-A workers.celery_app` still finds one."""
        code = ("import workers.celery_app as m, workers.tasks, workers.relay, workers.steps;"
                "assert m._default is None;"
                "from celery.app.utils import find_app;"
                "app = find_app('workers.celery_app');"
                "assert type(app).__name__ == 'DossierCelery' and app is m.app;"
                "assert app._resources is None")
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60,
                       env={"DOSSIER_DATA_DIR": str(tmp_path / "var"), "PATH": ""},
                       cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.services
def test_two_workers_on_one_host(settings: Settings, amqp_url: str, tmp_path: Path) -> None:
    """GIVEN one host WHEN a second `dossier worker` for the same queues starts beside the first
    THEN both come up and stay up (each node has a name of its own; RabbitMQ would refuse the
    second one's control queue otherwise)."""
    import time

    from tests.conftest import delete_queues, queue_names, unique
    from tests.edges import dossier_env, running

    names = queue_names(unique("twin"))
    s = settings.model_copy(update={"broker_url": amqp_url, **names})
    env = dossier_env(s)
    args = ["worker", "--queues", names["queue_ingest"], "--pool", "solo"]
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    try:
        with running(args, env, logs[0]) as first, running(args, env, logs[1]) as second:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not all(" ready." in p.read_text(errors="replace")
                                                          for p in logs):
                assert first.poll() is None and second.poll() is None, [p.read_text() for p in logs]
                time.sleep(0.5)
            time.sleep(2)
            assert first.poll() is None and second.poll() is None, [p.read_text() for p in logs]
            assert all(" ready." in p.read_text(errors="replace") for p in logs)
    finally:
        delete_queues(make_celery(s), list(names.values()))
