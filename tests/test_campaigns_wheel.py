"""An installed wheel runs without the checkout: the campaign files and holiday arrangements are
package data, the admin templates are there, and the API lists the campaigns by their names."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

PROBE = """
import json, tempfile, pathlib
from fastapi.testclient import TestClient
import dossier
from dossier.settings import Settings
from services.app import create_app
from storage.db import make_engine, migrate
from dossier.stages import calendar
data = pathlib.Path(tempfile.mkdtemp())
settings = Settings(data_dir=data)
engine = make_engine(settings)
migrate(engine)
with TestClient(create_app(settings, engine=engine)) as c:
    campaigns = c.get("/api/campaigns").json()
print(json.dumps({"dossier": dossier.__file__, "campaigns": sorted(x["id"] for x in campaigns),
                  "holidays_2026": calendar.basis(2026).source,
                  "admin_template": (pathlib.Path(dossier.__file__).parent.parent / "services/web/templates/admin/campaigns.html").is_file()}))
"""


def test_wheel_carries_campaigns_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    """GIVEN the project built as a wheel and unpacked away from the checkout WHEN the API starts from
    there THEN it reads the packaged campaigns (no campaigns/ folder beside it) and holiday files."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=300)
    wheels = list(tmp_path.glob("dossier-*.whl"))
    if built.returncode != 0 or not wheels:
        pytest.skip(f"cannot build a wheel here (no network for the build backend?): {built.stderr[-300:]}")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheels[0]) as z:
        names = set(z.namelist())
        z.extractall(site)
    assert {"dossier/seed_campaigns/jinhua-2015.yaml", "dossier/seed_campaigns/yueyang-2017.yaml",
            "dossier/seed_holidays/2026.yaml", "services/web/templates/admin/campaigns.html",
            "workers/packets/templates/dossier.html", "workers/packets/templates/packet.css"} <= names
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["dossier"].startswith(str(site))
    assert got["campaigns"] == ["jinhua-2015", "yueyang-2017"]
    assert got["holidays_2026"] == "file" and got["admin_template"] is True
