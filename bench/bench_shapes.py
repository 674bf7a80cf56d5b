"""Field accuracy per form shape, and Word extract+check time against a bare python-docx walk.

    .venv/bin/python bench/bench_shapes.py [--html] [--repeat 5]

Builds the same filled forms (Jinhua 推荐表, Yueyang 申报表 + 评分细则) in every shape
of tests/form_shapes.py with python-docx (with --html also as HTML turned into .docx by
LibreOffice, about 2 s a file) and prints, per shape, the share of fields read as written,
and the time of `extract_file` (read, locate, normalise, check) over the time of a bare
python-docx open and walk (every paragraph's and every cell's text), each the fastest of
`--repeat` interleaved runs.
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

sys.path.insert(0, str(ROOT / "bench"))

from bench_ratios import bare_docx  # noqa: E402  (the same bare walk the ratios bench times)
from dossier.campaigns import get_campaign  # noqa: E402
from tests import form_shapes as fs  # noqa: E402
from workers.extraction import extract_file  # noqa: E402


def best_ratio(ours, bare, repeat: int) -> float:
    """Fastest of `repeat` interleaved runs of each, ours over bare: on a shared machine the
    fastest run is the one least disturbed by others."""
    t_ours, t_bare = [], []
    for _ in range(repeat):
        for fn, times in ((ours, t_ours), (bare, t_bare)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return min(t_ours) / min(t_bare)


def accuracy(path: Path, form: fs.Form) -> tuple[int, int, list[str]]:
    r = extract_file(path, get_campaign(form.campaign))
    got = {d.kind: {k: v.value for k, v in d.fields.items()} for d in r.documents}
    ok, total, wrong = 0, 0, []
    for kind, fields in fs.expected(form).items():
        for key, value in fields.items():
            total += 1
            if got.get(kind, {}).get(key) == value:
                ok += 1
            else:
                wrong.append(key)
    return ok, total, wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--html", action="store_true", help="also author each shape as HTML, converted by LibreOffice")
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    writers = ["docx"] + (["html"] if a.html else [])
    grand_ok = grand_total = 0
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'shape':44s} {'via':5s} {'fields':>9s} {'ratio':>6s}  wrong")
        for writer in writers:
            for shape in fs.SHAPES:
                ok_s = total_s = 0
                wrong_s: list[str] = []
                shape_ratios = []
                for form in (fs.jinhua(), fs.yueyang()):
                    stem = f"{shape.name}-{form.campaign}"
                    if writer == "docx":
                        path = fs.write_docx(folder / f"{stem}.docx", form, shape)
                    else:
                        form.scores = []
                        path = fs.html_to(fs.write_html(folder / f"{stem}.html", form, shape), folder)
                    ok, total, wrong = accuracy(path, form)
                    ok_s, total_s, wrong_s = ok_s + ok, total_s + total, wrong_s + wrong
                    campaign = get_campaign(form.campaign)
                    shape_ratios.append(best_ratio(lambda: extract_file(path, campaign),
                                                   lambda: bare_docx(path), a.repeat))
                grand_ok, grand_total = grand_ok + ok_s, grand_total + total_s
                ratio = statistics.median(shape_ratios)
                ratios.extend(shape_ratios)
                print(f"{shape.name:44s} {writer:5s} {100 * ok_s / total_s:8.1f}% {ratio:6.2f}  "
                      f"{', '.join(sorted(set(wrong_s)))[:60]}", flush=True)
    print(f"fields {100 * grand_ok / grand_total:.1f}% over {len(writers) * len(fs.SHAPES)} shapes; "
          f"extract+check / bare python-docx walk: median {statistics.median(ratios):.2f}, "
          f"max {max(ratios):.2f}")


if __name__ == "__main__":
    main()
