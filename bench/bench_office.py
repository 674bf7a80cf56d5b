"""Office conversions cold (a `soffice --headless` per call) against warm (unoserver kept running):
`.doc`/`.wps` -> .docx (what extraction does) and Word -> PDF (the packet print), on the same files,
one after the other.

    .venv/bin/python bench/bench_office.py            # 5 rounds over the public samples
    .venv/bin/python bench/bench_office.py --quick    # 2 rounds

Prints seconds per file (median and max) for each path and conversion, the warm server's
start-up (paid once per worker process), and the speed-up.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dossier.settings import Settings  # noqa: E402
from workers.extract.convert import convert_bytes_to_docx, convert_to_pdf  # noqa: E402
from workers.extract.office_server import warm_converter  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def _files() -> list[tuple[Path, str]]:
    files = sorted(SAMPLES.glob("*.doc")) + sorted(SAMPLES.glob("*.wps"))
    return [(p, "wps" if p.suffix == ".wps" else "doc") for p in files]


def _time(fn: Callable[[Path, Settings, str], bytes], files: list[tuple[Path, str]],
          settings: Settings, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for path, fmt in files:
            t0 = time.perf_counter()
            fn(path, settings, fmt)
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds instead of 5")
    args = ap.parse_args()
    files = _files()
    if not files:
        print(f"no .doc/.wps samples under {SAMPLES}", file=sys.stderr)
        return 1
    rounds = 2 if args.quick else 5
    cold, warm = Settings(), Settings(office_server="local")
    conv = warm_converter(warm)
    assert conv is not None and conv.local is not None
    t0 = time.perf_counter()
    conv.local.start()
    start_s = time.perf_counter() - t0
    print(f"{len(files)} files x {rounds} rounds; warm server start-up {start_s:.2f} s (once per process)")
    print(f"{'conversion':<16}{'path':<6}{'median s':>10}{'max s':>8}")
    try:
        for label, fn in (("doc -> docx", convert_bytes_to_docx), ("print -> pdf", convert_to_pdf)):
            fn(files[0][0], warm, files[0][1])          # the first conversion loads the filters
            medians = {}
            for name, settings in (("cold", cold), ("warm", warm)):
                t = _time(fn, files, settings, rounds)
                medians[name] = statistics.median(t)
                print(f"{label:<16}{name:<6}{medians[name]:>10.3f}{max(t):>8.3f}")
            print(f"{label:<16}warm is {medians['cold'] / medians['warm']:.1f}x faster per file")
    finally:
        conv.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
