"""Throughput of .docx extract + check, single process.

    .venv/bin/python bench/bench_docx.py [--files 200]

Generates Jinhua and Yueyang forms (with narratives and score sheets) the way
units fill them, adds the shared Word samples when they are beside the
project, and times `extract_file` on each (warm: the first pass is discarded).
Prints files/s and ms per file (median and p95).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.campaigns import get_campaign  # noqa: E402
from tests import docx_factory as make  # noqa: E402
from workers.extraction import extract_file  # noqa: E402


def build(folder: Path, n: int) -> list[tuple[Path, str]]:
    maxima = [it.max for it in get_campaign("yueyang-2017").document("score_sheet").rubric.items]
    files = []
    for i in range(n):
        if i % 2 == 0:
            p = make.jinhua_form(folder / f"j{i}.docx", {"deeds": make.narrative(900 + i % 400, seed=i)},
                                 seal=i % 3 != 0)
            files.append((p, "jinhua-2015"))
        else:
            p = make.yueyang_form(folder / f"y{i}.docx", {"material": make.narrative(1200 + i % 400, seed=i)},
                                  scores=maxima, total=100)
            files.append((p, "yueyang-2017"))
    samples = ROOT.parent / "shared" / "samples"
    for p in sorted(samples.glob("*.docx")):
        files.append((p, "jinhua-2015" if p.name.startswith("jinhua") else "yueyang-2017"))
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp), a.files)
        campaigns = {c: get_campaign(c) for c in ("jinhua-2015", "yueyang-2017")}
        for p, c in files[:5]:
            extract_file(p, campaigns[c])           # warm imports and caches
        times = []
        t0 = time.perf_counter()
        for p, c in files:
            s = time.perf_counter()
            extract_file(p, campaigns[c])
            times.append(time.perf_counter() - s)
        total = time.perf_counter() - t0
    times.sort()
    print(f"docx extract+check: {len(files)} files in {total:.2f} s  "
          f"{len(files) / total:.1f} files/s  "
          f"{1000 * statistics.median(times):.1f} ms/file median  "
          f"{1000 * times[int(0.95 * (len(times) - 1))]:.1f} ms p95  (single process)")


if __name__ == "__main__":
    main()
