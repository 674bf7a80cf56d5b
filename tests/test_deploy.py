"""The deploy files and scripts parse and say what the production layout needs."""
from __future__ import annotations

import re
import subprocess
import sys

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
        for name in ("postgres", "rabbitmq", "s3", "redis", "migrate", "api", "proxy", "relay",
                     "office", "flower", "worker-ingest", "worker-extract", "worker-ocr",
                     "worker-packets"):
            assert name in services, name
        for name, svc in services.items():
            # every long-running service says when it is healthy; the one-shot migration exits
            if name not in ("migrate", "flower"):
                assert "healthcheck" in svc, name

    def test_every_image_is_pinned_and_maintained(self, compose: dict) -> None:
        for name, svc in compose["services"].items():
            image = svc["image"]
            if image.startswith("dossier-"):
                assert svc["build"]["target"] == image.split(":")[0].removeprefix("dossier-"), name
                continue
            tag = image.rsplit(":", 1)[1] if ":" in image else ""
            assert re.match(r"\d+\.\d+", tag), (name, image)        # a version, never latest
            assert not image.startswith(("minio/", "quay.io/minio/")), "MinIO stopped its community images"

    def test_depends_on_names_services(self, compose: dict) -> None:
        services = compose["services"]
        for name, svc in services.items():
            for dep, cond in (svc.get("depends_on") or {}).items():
                assert dep in services, (name, dep)
                if cond["condition"] == "service_healthy":
                    assert "healthcheck" in services[dep], (name, dep)

    def test_one_worker_per_queue(self, compose: dict) -> None:
        s = Settings()
        queues = {s.queue_ingest, s.queue_extract, s.queue_ocr, s.queue_packets}
        seen = set()
        for name, svc in compose["services"].items():
            cmd = svc.get("command") or []
            if name.startswith("worker-"):
                assert cmd[:2] == ["dossier", "worker"]
                seen.add(cmd[cmd.index("--queues") + 1])
                assert 'inspect ping -d "$$(cat /var/lib/dossier/worker.node)"' in svc["healthcheck"]["test"][1]
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

    def test_production_settings(self, compose: dict) -> None:
        env = compose["services"]["api"]["environment"]
        assert env["DOSSIER_ANONYMOUS_UPLOADS"] == "false"
        assert env["DOSSIER_SECURE_COOKIES"] == "true"
        assert env["DOSSIER_THROTTLE_URL"].startswith("redis://")    # shared by the replicas
        # scalable: no fixed host port on the API, the proxy in front holds 443
        api = compose["services"]["api"]
        assert "ports" not in api
        assert "443:443" in compose["services"]["proxy"]["ports"]
        nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
        assert "http://api:8000" in nginx and "client_max_body_size 50m" in nginx

    def test_flower_has_a_password_and_the_broker_api(self, compose: dict) -> None:
        cmd = " ".join(compose["services"]["flower"]["command"])
        assert "--basic_auth=${FLOWER_USER:?" in cmd and "${FLOWER_PASSWORD:?" in cmd
        assert "--broker_api=http://" in cmd and ":15672/api/" in cmd

    def test_every_dossier_variable_is_a_setting(self) -> None:
        """A misspelt DOSSIER_* variable in a deploy file would be silently ignored."""
        fields = {f"DOSSIER_{k.upper()}" for k in Settings.model_fields}
        paths = [DEPLOY / "docker-compose.yml", DEPLOY / "env.example", REPO / "README.md",
                 *sorted((DEPLOY / "k8s").rglob("*.yaml"))]
        for path in paths:
            names = set(re.findall(r"\bDOSSIER_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
            # the tests' own knobs (services to use, fault-test outage lengths), not settings
            names = {n for n in names if not n.startswith(("DOSSIER_TEST_", "DOSSIER_FAULT_"))}
            # a family named by its prefix (`DOSSIER_SMTP_*`) must name at least one setting
            families = {n for n in names if n.endswith("_")}
            assert all(any(f.startswith(n) for f in fields) for n in families), (path.name, families)
            assert names - families <= fields, (path.name, names - families - fields)

    def test_readme_documents_every_setting(self) -> None:
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        for key in Settings.model_fields:
            assert f"DOSSIER_{key.upper()}" in readme, key

    def test_no_secret_is_hard_coded(self, compose: dict) -> None:
        text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
        assert "change-me" not in text
        for var in ("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "S3_SECRET_KEY", "FLOWER_PASSWORD"):
            assert "${%s:?" % var in text, var


class TestSecrets:
    """The examples in deploy/env.example and deploy/k8s are refused at start."""

    def _example(self) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
                 if line and not line.startswith("#"))
        return dict(pairs)

    def test_the_example_passwords_are_refused(self) -> None:
        env = self._example()
        with pytest.raises(ValueError, match="示例密码"):
            Settings(database_url=f"postgresql+psycopg://dossier:{env['POSTGRES_PASSWORD']}@db/dossier")
        with pytest.raises(ValueError, match="DOSSIER_S3_SECRET_KEY"):
            Settings(s3_secret_key=env["S3_SECRET_KEY"])
        with pytest.raises(ValueError, match="DOSSIER_BROKER_URL"):
            Settings(broker_url=f"amqp://dossier:{env['RABBITMQ_PASSWORD']}@rabbitmq:5672/dossier")

    def test_the_k8s_secret_placeholders_are_refused(self) -> None:
        secret = next(d for d in yaml.safe_load_all((DEPLOY / "k8s" / "base" / "config.yaml").read_text())
                      if d["kind"] == "Secret")["stringData"]
        with pytest.raises(ValueError):
            Settings(database_url=secret["DOSSIER_DATABASE_URL"])

    def test_real_secrets_start(self) -> None:
        s = Settings(database_url="postgresql+psycopg://dossier:Xq3-long-secret@db/dossier",
                     s3_secret_key="another-real-one")
        assert s.database_url.endswith("@db/dossier")


class TestImages:
    def test_dockerfile_targets_and_no_tesseract(self) -> None:
        text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
        targets = set(re.findall(r"^FROM \S+ AS (\S+)$", text, re.M))
        assert {"api", "worker", "ocr", "office"} <= targets
        assert "tesseract" not in text.replace("installs tesseract", "")
        assert text.count('ENTRYPOINT ["/usr/bin/tini"') == 2     # runtime (api, worker, ocr) and office
        # nothing outside bench/ runs tesseract, so no image needs it
        users = [p for p in REPO.glob("*/**/*.py")
                 if p.parts[len(REPO.parts)] in ("dossier", "services", "workers", "storage")
                 and "tesseract" in p.read_text(encoding="utf-8")]
        assert users == []

    def test_api_runs_without_the_ocr_libraries(self, tmp_path) -> None:
        """The api image drops rapidocr, onnxruntime and OpenCV: the app must start and
        answer without them."""
        code = (
            "import sys\n"
            "for m in ('cv2', 'onnxruntime', 'rapidocr'): sys.modules[m] = None\n"
            "from fastapi.testclient import TestClient\n"
            "from dossier.settings import Settings\n"
            "from services.app import create_app\n"
            "from services.runner import migrate\n"
            f"s = Settings(data_dir={str(tmp_path)!r})\n"
            "migrate(s)\n"
            "c = TestClient(create_app(s))\n"
            "print(c.get('/healthz').status_code, c.get('/readyz').status_code, c.get('/').status_code)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=REPO, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split()[-3:] == ["200", "200", "200"]


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
