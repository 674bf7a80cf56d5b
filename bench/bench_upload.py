"""Upload path: HTTP multipart in, object store out, row and outbox recorded.

    .venv/bin/python bench/bench_upload.py [--mb 40] [--rounds 5]

Posts a file of `--mb` MiB of random bytes (new bytes each round, so nothing is
deduplicated) to `POST /api/submissions/{id}/files` of an in-process app on
embedded defaults in a temp folder, and prints MiB/s (median over rounds) and
the bytes written to temp files on the way, read from /proc/self/io where the
kernel offers it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from dossier.settings import Settings  # noqa: E402
from services.app import create_app  # noqa: E402
from storage.db import make_engine, migrate  # noqa: E402


def written() -> int | None:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "var", max_upload_bytes=(args.mb + 1) << 20)
        engine = make_engine(settings)
        migrate(engine)
        engine.dispose()
        rates, disk = [], []
        with TestClient(create_app(settings)) as c:
            for i in range(args.rounds):
                sid = c.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": f"某局{i}",
                                                       "recommender": "市直机关工委"}).json()["id"]
                data = os.urandom(args.mb << 20)
                before, t0 = written(), time.perf_counter()
                r = c.post(f"/api/submissions/{sid}/files", files=[("files", ("扫描件.pdf", data, "application/pdf"))])
                took = time.perf_counter() - t0
                after = written()
                assert r.status_code == 202, r.text
                rates.append(args.mb / took)
                if before is not None and after is not None:
                    disk.append((after - before) / (args.mb << 20))
    print(f"upload {args.mb} MiB x {args.rounds}: {statistics.median(rates):.1f} MiB/s median "
          f"(min {min(rates):.1f}, max {max(rates):.1f})")
    if disk:
        print(f"bytes written to disk per byte uploaded: {statistics.median(disk):.2f}")


if __name__ == "__main__":
    main()
