"""Time the text-PDF and Word 97 readers on the sample files and print figures.

    .venv/bin/python bench/bench_readers.py [SAMPLES_DIR] [--repeat N]

For each .pdf/.doc/.wps sample: the median wall time of the whole reader
(for Word 97 that includes the LibreOffice conversion) and, for Word 97, of
the binary decoding alone, plus the model's size (blocks, tables, cells).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workers.extract.model import Document  # noqa: E402
from workers.extract.readers import ReadContext, ReadError, reader_for  # noqa: E402
from workers.extract.sniff import sniff  # noqa: E402
from workers.extract.word.word97_binary import read_word97_text  # noqa: E402
from workers.extract.word.word97_model import build_blocks  # noqa: E402


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _size(doc: Document) -> str:
    tables = list(doc.tables())
    return f"{len(doc.blocks):4d} blocks {len(tables):2d} tables {sum(len(t.cells) for t in tables):4d} cells"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", nargs="?", default=str(ROOT.parent / "shared" / "samples"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted(p for p in Path(args.samples).iterdir() if p.suffix.lower() in (".pdf", ".doc", ".wps"))
    if not files:
        print(f"no samples in {args.samples}", file=sys.stderr)
        return 2
    print(f"{'file':40s} {'format':6s} {'reader s':>9s} {'binary s':>9s}  model")
    for p in files:
        s = sniff(p)
        ctx = ReadContext(name=p.name, format=s.format or "")
        try:
            secs, doc = _median(lambda: reader_for(s.format)(p, ctx), args.repeat)
        except ReadError as e:
            print(f"{p.name:40s} {s.format or '-':6s} {'-':>9s} {'-':>9s}  {e.code}: {e.detail[:60]}")
            continue
        binary = "-"
        if s.format in ("doc", "wps"):
            bsecs, _ = _median(lambda: build_blocks(read_word97_text(str(p)).paras), args.repeat)
            binary = f"{bsecs:9.3f}"
        print(f"{p.name:40s} {s.format:6s} {secs:9.3f} {binary:>9s}  {doc.method:9s} {_size(doc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
