"""Settings, read once from the environment (prefix DOSSIER_) and handed on.

Nothing is built at import time: call `get_settings()` (cached) or build a
`Settings(...)` in tests and pass it to the factories that need it.
The defaults are the embedded mode: an SQLite file, a local folder as object
store and a filesystem broker, all under `DOSSIER_DATA_DIR` (./var).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# the placeholders deploy/env.example and deploy/k8s ship: a service started with one of them
# left in place would run with a password that is in the repository
PLACEHOLDER_SECRETS = frozenset({"change-me", "change-me-too", "changeme", "minioadmin"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    data_dir: Path = Path("var")
    # SQLAlchemy URL; default: sqlite file under data_dir
    database_url: str = ""
    # Celery broker; default: kombu's filesystem transport under data_dir (no server)
    broker_url: str = ""
    # file:///path or s3://bucket/prefix
    storage_url: str = ""
    s3_endpoint: str = ""           # host:port of MinIO / S3
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    s3_region: str = ""
    # campaign files (default: the two shipped with the package); versions loaded on
    # /admin/campaigns live in the database and are re-read at most this often (seconds)
    campaigns_dir: Path | None = None
    campaigns_refresh_seconds: float = 5.0
    # holiday arrangements, one YAML file per year (default: the ones shipped with the package)
    holidays_dir: Path | None = None

    # queue names, so that workers can be scaled per queue
    queue_ingest: str = "ingest"
    queue_extract: str = "extract"
    queue_ocr: str = "ocr"
    queue_packets: str = "packets"
    # RabbitMQ only (workers/queues.py): the task queues are quorum queues; a message delivered
    # this often without an ack (a worker killed each time) goes to the dead-letter queue.  Above
    # task_max_attempts, so that the files row's counter parks the file with a finding first
    delivery_limit: int = 20
    queue_dead: str = "dossier.dead"

    # limits
    max_upload_bytes: int = 50 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024     # a .docx member inflating past this is a zip bomb
    max_pages: int = 60
    max_image_pixels: int = 60_000_000
    ocr_low_confidence: float = 0.80
    task_time_limit: int = 600        # seconds; below RabbitMQ's 30-minute consumer timeout
    task_soft_time_limit: int = 540
    ocr_page_time_limit: int = 180
    # threads one OCR process uses (onnxruntime intra-op and OpenCV); 0: the libraries' default,
    # every core. Set it to the cores a worker process owns (a pod's CPU limit over its
    # concurrency), so that two processes on one machine do not fight over the same cores.
    ocr_threads: int = Field(default=0, ge=0)
    convert_timeout: int = 120        # LibreOffice
    # LibreOffice as a cross-check of a .doc/.wps whose binary was already read (text boxes live
    # outside the binary's main text): waited no longer than this, so a slow or wedged LibreOffice
    # cannot hold up a reading that is already in hand
    convert_check_timeout: int = 30
    task_max_attempts: int = 5
    # outages (database, broker, store) are waited out, never counted as a file's attempts:
    # retried with capped, jittered backoff for this long before the file is left to the
    # reconciler; the cap keeps a file's restart within seconds of a service's return
    transient_retry_seconds: float = 900.0
    transient_backoff_max: float = 15.0
    # one execution at a time per file: a lease on the file row, renewed while working; a
    # killed worker's lease lapses after this long and the file's redelivery takes it over
    file_lease_seconds: float = 60.0
    # database timeouts: a partition must not hang the API or a worker (seconds)
    db_connect_timeout: int = 5
    db_statement_timeout: float = 30.0
    # what a client is told to wait when the database or the store is unavailable (seconds)
    unavailable_retry_after: int = 15
    # /readyz waits this long for the database and the store
    readiness_timeout: float = 3.0
    # the sweeper: objects with no row older than this are removed (an upload whose
    # commit failed); rows whose object is missing are reported
    orphan_grace_seconds: int = 600

    # packets (workers/packets): a font file to set the PDFs in first (embedded, subsetted);
    # empty: Noto Serif CJK SC from the system (fonts-noto-cjk), embedded likewise
    packet_font: str = ""

    # review and accounts (issue 5)
    review_lease_seconds: int = 30 * 60   # a claimed task returns to its queue unless renewed
    session_hours: int = 12
    # embedded dev mode: the unit's upload pages work without a login; set false in
    # production so that every page and API call needs an account
    anonymous_uploads: bool = True
    secure_cookies: bool = False
    # login throttling (issue 15): failed logins per account, attempts per address, in the
    # `limits` library's notation; shared through Redis when `throttle_url` is set (several API
    # replicas), else counted in the process's memory (embedded mode)
    throttle_url: str = ""
    login_limit_account: str = "10/5minutes"
    login_limit_address: str = "60/minute"
    # argon2 hashes verified at once per process (each takes 64 MiB and a core for ~50 ms)
    password_hash_concurrency: int = 2
    # API tokens live this many days (0: until revoked)
    api_token_days: int = 90
    # upload quotas (issue 15): one request's files together, a submission's files (all versions)
    # and an account's files across its submissions; each file is also within max_upload_bytes
    max_request_bytes: int = 200 * 1024 * 1024
    max_submission_bytes: int = 500 * 1024 * 1024
    max_account_bytes: int = 2 * 1024 * 1024 * 1024
    # packet builds a person may start in an hour (one build per campaign runs at a time)
    packet_builds_per_hour: int = 10

    # notifications (issue 13): email through this SMTP server; no host: the inbox only
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout: float = 20.0
    # a task due within this many hours tells whoever works on it (the relay's sweep)
    notify_due_hours: float = 24.0

    # the operator's page asks the broker for queue depths and pings the workers
    ops_broker_timeout: float = 1.0

    # deployment (issue 14): a warm LibreOffice (unoserver) at host:port, or "local" to start
    # one per worker process; empty: a cold `soffice --headless` per conversion
    office_server: str = ""
    # logs: "text" (a terminal) or "json" (one object a line, with submission/file/task ids)
    log_format: str = "text"
    # worker task metrics shared by the processes of one pod (prometheus multiprocess files);
    # empty: kept in the process's memory only
    metrics_dir: str = ""
    # where a worker serves those metrics (http://pod:port/metrics); 0: not served
    metrics_port: int = 9808

    host: str = "127.0.0.1"
    port: int = 8000

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        """Refuse to start with a secret still at a shipped placeholder."""
        from urllib.parse import urlsplit
        found = [name for name, value in (
            ("DOSSIER_DATABASE_URL", urlsplit(self.database_url).password),
            ("DOSSIER_BROKER_URL", urlsplit(self.broker_url).password),
            ("DOSSIER_S3_SECRET_KEY", self.s3_secret_key),
            ("DOSSIER_SMTP_PASSWORD", self.smtp_password)) if value in PLACEHOLDER_SECRETS]
        if found:
            raise ValueError(f"{', '.join(found)} still hold the example password; set real "
                             f"secrets / {', '.join(found)} 仍是示例密码，请改为真实的密钥后再启动")
        return self

    @model_validator(mode="after")
    def _delivery_limit_above_attempts(self) -> "Settings":
        """The broker's delivery limit is a backstop: reached before the application's attempts, it
        would dead-letter a message whose file the unit never hears about."""
        if self.delivery_limit <= self.task_max_attempts:
            raise ValueError(
                f"DOSSIER_DELIVERY_LIMIT ({self.delivery_limit}) must be above DOSSIER_TASK_MAX_ATTEMPTS "
                f"({self.task_max_attempts}) / 投递上限必须大于任务尝试次数")
        return self

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'dossier.db').resolve()}"

    def resolved_broker_url(self) -> str:
        return self.broker_url or "filesystem://"

    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.data_dir / 'objects').resolve()}"

    def broker_folder(self) -> Path:
        """Where kombu's filesystem transport keeps its messages in embedded mode."""
        return (self.data_dir / "broker").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
