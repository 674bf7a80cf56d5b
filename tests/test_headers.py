"""Security headers on every response, pages, API, errors and downloads alike; no server banner."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from dossier.settings import Settings
from services.app import create_app
from tests.conftest import free_port


def test_every_response_carries_the_headers(settings: Settings) -> None:
    with TestClient(create_app(settings)) as c:
        for r in (c.get("/"), c.get("/login"), c.get("/api/campaigns"), c.get("/api/review/tasks"),
                  c.get("/no/such/page"), c.get("/static/app.js"), c.get("/openapi.json")):
            h = r.headers
            assert "frame-ancestors 'none'" in h["content-security-policy"] and "script-src 'self'" in \
                h["content-security-policy"], r.url
            assert (h["x-frame-options"], h["x-content-type-options"], h["referrer-policy"]) == \
                ("DENY", "nosniff", "same-origin"), r.url
            assert "server" not in h


def test_only_the_desks_originals_may_be_framed_and_only_by_us(settings: Settings) -> None:
    """The desk shows an original in an <iframe> of its own page: that path says SAMEORIGIN, every
    other page DENY."""
    with TestClient(create_app(settings)) as c:
        framed = c.get("/review/files/s/f", follow_redirects=False).headers
        page = c.get("/review", follow_redirects=False).headers
    assert framed["x-frame-options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in framed["content-security-policy"]
    assert page["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in page["content-security-policy"]


def test_the_served_api_sends_no_server_banner(tmp_path: Path) -> None:
    """GIVEN `dossier serve` (uvicorn) WHEN asked for /healthz THEN no `server:` header names it."""
    port = free_port()
    env = {**os.environ, "DOSSIER_DATA_DIR": str(tmp_path / "var"), "DOSSIER_DATABASE_URL": "",
           "DOSSIER_STORAGE_URL": "", "DOSSIER_BROKER_URL": ""}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dossier"), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "the API did not start"
                time.sleep(0.5)
        assert r.status_code == 200 and "server" not in r.headers and r.headers["x-frame-options"] == "DENY"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_api_docs_load_nothing_from_elsewhere(settings: Settings) -> None:
    """/docs works offline: Swagger UI comes from the package, and its policy allows no other host."""
    with TestClient(create_app(settings)) as c:
        r = c.get("/docs")
    csp = r.headers["content-security-policy"]
    assert r.status_code == 200 and "/static/swagger-ui/swagger-ui-bundle.js" in r.text
    assert "http" not in csp and "cdn" not in csp, csp
