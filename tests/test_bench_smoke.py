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


def test_heldout_bench_reads_two_forms_and_reports_every_figure(tmp_path) -> None:
    """bench/bench_heldout.py on two held-out forms as python-docx files (no LibreOffice): it
    must run to the end and give each figure for them, so that the measure cannot rot.  Nothing
    about how well they read is asserted: the held-out forms are the bench's, not the tests'."""
    out = tmp_path / "heldout.json"
    run = subprocess.run([sys.executable, "bench/bench_heldout.py", "--count", "2", "--formats", "docx",
                          "--json", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())["formats"]
    assert list(figures) == ["docx"]
    docx = figures["docx"]
    assert docx["forms"] == 2 and docx["crashes"] == 0
    for key in ("fields_pct", "counts_pct", "findings_recall_pct", "false_errors_per_form"):
        assert isinstance(docx[key], (int, float)), (key, docx)
    assert "docx" in run.stdout and "false err/form" in run.stdout
    # nor which of them read wrong: the held-out forms' failures are not to be studied
    assert "notes" not in docx


def test_heldout_bench_refuses_seeds_outside_its_range() -> None:
    """Seeds below 9000 are the tests' and the shapes bench's: the held-out bench must not read them."""
    run = subprocess.run([sys.executable, "bench/bench_heldout.py", "--start", "100", "--count", "1",
                          "--formats", "docx"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "held-out range" in run.stdout + run.stderr


def test_heldout_expected_counts_agree_with_the_contract_counter(monkeypatch) -> None:
    """The bench states 字数 by its own restatement of the contract's rule; over narratives made as
    it makes them (from seeds of their own, not the held-out forms), that must agree with
    dossier.counting, or its 字数 figure would measure the bench."""
    import random

    monkeypatch.syspath_prepend(str(REPO / "bench"))
    import heldout_forms
    from dossier.counting import count_chars

    for seed in range(40):
        n = random.Random(seed).randint(700, 1700)
        assert count_chars(heldout_forms.narrative(random.Random(seed), n)) == n, seed
