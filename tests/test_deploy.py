"""The deploy files and scripts parse and say what the production layout needs."""
from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from dossier.settings import Settings
from tests.edges import REPO

DEPLOY = REPO / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


class TestCompose:
    def test_required_services(self, compose: dict) -> None:
        services = compose["services"]
        for name in ("postgres", "rabbitmq", "minio", "migrate", "api", "relay", "flower",
                     "worker-ingest", "worker-extract", "worker-ocr", "worker-packets"):
            assert name in services, name
        for name in ("postgres", "rabbitmq", "minio"):
            assert "healthcheck" in services[name], name

    def test_one_worker_per_queue(self, compose: dict) -> None:
        s = Settings()
        queues = {s.queue_ingest, s.queue_extract, s.queue_ocr, s.queue_packets}
        seen = set()
        for name, svc in compose["services"].items():
            cmd = svc.get("command") or []
            if name.startswith("worker-"):
                assert cmd[:2] == ["dossier", "worker"]
                seen.add(cmd[cmd.index("--queues") + 1])
        assert seen == queues

    def test_dossier_services_get_every_connection_setting(self, compose: dict) -> None:
        for name in ("api", "relay", "migrate", "worker-ocr"):
            env = compose["services"][name]["environment"]
            for key in ("DOSSIER_DATABASE_URL", "DOSSIER_BROKER_URL", "DOSSIER_STORAGE_URL",
                        "DOSSIER_S3_ENDPOINT", "DOSSIER_S3_ACCESS_KEY", "DOSSIER_S3_SECRET_KEY"):
                assert key in env, (name, key)
            assert env["DOSSIER_STORAGE_URL"].startswith("s3://")
            assert env["DOSSIER_BROKER_URL"].startswith("amqp://")
            assert env["DOSSIER_DATABASE_URL"].startswith("postgresql+psycopg://")

    def test_every_dossier_variable_is_a_setting(self) -> None:
        """A misspelt DOSSIER_* variable in a deploy file would be silently ignored."""
        fields = {f"DOSSIER_{k.upper()}" for k in Settings.model_fields}
        for path in (DEPLOY / "docker-compose.yml", DEPLOY / "env.example", REPO / "README.md"):
            names = set(re.findall(r"\bDOSSIER_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
            names -= {"DOSSIER_TEST_PG_URL", "DOSSIER_TEST_AMQP_URL"}
            assert names <= fields, (path.name, names - fields)

    def test_readme_documents_every_setting(self) -> None:
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        for key in Settings.model_fields:
            assert f"DOSSIER_{key.upper()}" in readme, key

    def test_no_secret_is_hard_coded(self, compose: dict) -> None:
        text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
        assert "change-me" not in text
        assert "${POSTGRES_PASSWORD:?" in text


class TestScripts:
    @pytest.mark.parametrize("path", ["scripts/up", "scripts/test", "scripts/bootstrap", ".ci/run"])
    def test_bash_parses_and_is_executable(self, path: str) -> None:
        p = REPO / path
        assert p.stat().st_mode & 0o111, f"{path} is not executable"
        assert subprocess.run(["bash", "-n", str(p)], capture_output=True).returncode == 0

    def test_ci_runs_the_readme_test_command(self) -> None:
        ci = (REPO / ".ci" / "run").read_text()
        assert "./scripts/test" in ci and "apt-get install" in ci
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        assert "./scripts/test" in readme and "./scripts/up" in readme
