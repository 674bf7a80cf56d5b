"""The deadline bench's --quick mode as a smoke test: the production stack (RabbitMQ,
PostgreSQL, S3 on moto, the API, relay and workers as processes) takes 20 submissions of the
deadline mix through the HTTP API, and every one of them is checked.  Nothing about time is
asserted: the figures are the bench's to print."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import AMQP_URL, reachable
from tests.edges import REPO

SAMPLES = REPO.parent / "shared" / "samples"


@pytest.mark.slow
@pytest.mark.services
def test_quick_deadline_run_checks_every_submission(tmp_path) -> None:
    if not reachable(AMQP_URL, 5672):
        pytest.skip("RabbitMQ not reachable")
    if not (SAMPLES / "jinhua_form_scan.pdf").exists():
        pytest.skip("../shared/samples missing")
    out = tmp_path / "figures.json"
    run = subprocess.run([sys.executable, "bench/bench_deadline.py", "--quick", "--no-plain",
                          "--json", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=1500)
    assert out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["failed"] == []
    assert figures["checked"] == figures["submissions"] == 20, run.stdout[-3000:]
    # every step of the mix ran in a worker process and was counted there
    assert {"ingest.file", "extract.file", "ocr.page", "check.submission"} <= set(figures["steps"])
    assert run.returncode == 0
