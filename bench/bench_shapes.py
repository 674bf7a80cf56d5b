"""Field accuracy and false findings per form shape and format, and time against a bare reader.

    .venv/bin/python bench/bench_shapes.py [--formats docx,html,pdf,rtf,doc] [--repeat 5]

Builds the same filled forms (Jinhua 推荐表, Yueyang 申报表 + 评分细则) in every shape
of tests/form_shapes.py and reads them back.  Formats:

  docx  written with python-docx
  html  written as HTML, turned into .docx by LibreOffice (an independent authoring path)
  pdf   the python-docx file printed to PDF by LibreOffice (a text PDF)
  rtf   the HTML turned into .rtf by LibreOffice
  doc   the HTML turned into Word 97 .doc by LibreOffice

Conversions are done in one LibreOffice run per format.  Per shape it prints the share of
fields read as written and the false findings (every form is valid, so each finding is false but
the seal.missing of the HTML writer, which stamps no seal: errors blame the unit, warnings only
ask the reviewer to look), and, with --repeat above
0, the time of `extract_file` (read, locate, normalise, check) over a bare python-docx walk
(Word formats) or bare pdfplumber words+lines+rects (PDF), the fastest of `--repeat`
interleaved runs.  The last lines give the totals per format.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from bench_ratios import bare_docx, bare_pdf  # noqa: E402  (the same bare walks the ratios bench times)
from dossier.campaigns import get_campaign  # noqa: E402
from tests import form_shapes as fs  # noqa: E402
from workers.extraction import extract_file  # noqa: E402

FORMATS = ("docx", "html", "pdf", "rtf", "doc")


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


def accuracy(path: Path, form: fs.Form, writer: str = "docx") -> tuple[int, int, list[str],
                                                                       list[tuple[str, str, str | None]]]:
    """Fields right, fields expected, the wrong keys, and every false finding (severity, code, field):
    the forms are valid, so any finding but a seal the writer did not stamp is false."""
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
    true = fs.expected_findings(form, writer)
    return ok, total, wrong, [(f.severity, f.code, f.field) for f in r.findings if (f.code, f.field) not in true]


def build(folder: Path, fmt: str) -> list[tuple[fs.Shape, fs.Form, Path]]:
    """Every shape of both forms written for `fmt`, converted in one LibreOffice run."""
    made: list[tuple[fs.Shape, fs.Form, Path]] = []
    for shape in fs.SHAPES:
        for form in (fs.jinhua(), fs.yueyang()):
            stem = f"{shape.name}-{form.campaign}"
            if fmt in ("docx", "pdf"):
                made.append((shape, form, fs.write_docx(folder / f"{stem}.docx", form, shape)))
            else:
                form.scores = []          # the HTML writer has no score sheet
                made.append((shape, form, fs.write_html(folder / f"{stem}.html", form, shape)))
    if fmt == "docx":
        return made
    ext = "docx" if fmt == "html" else fmt
    out = folder / fmt
    converted = fs.convert_all([p for _s, _f, p in made], out, ext)
    return [(s, f, c) for (s, f, _p), c in zip(made, converted)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--formats", default="docx", help=f"comma-separated, of {', '.join(FORMATS)}")
    ap.add_argument("--html", action="store_true", help="also html (kept for older notes)")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per file; 0 times nothing")
    a = ap.parse_args()
    formats = [f for f in a.formats.split(",") if f] + (["html"] if a.html else [])
    unknown = set(formats) - set(FORMATS)
    if unknown:
        ap.error(f"unknown formats: {', '.join(sorted(unknown))}")
    per_format: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])   # ok, total, errors, warnings, files
    ratios: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':44s} {'via':5s} {'fields':>7s} {'err':>4s} {'warn':>4s} {'ratio':>6s}  wrong / findings")
        for fmt in formats:
            folder = Path(tmp) / f"src-{fmt}"
            folder.mkdir()
            by_shape: dict[str, list] = defaultdict(list)
            for shape, form, path in build(folder, fmt):
                by_shape[shape.name].append((form, path))
            for name, items in by_shape.items():
                ok_s = total_s = 0
                wrong_s: list[str] = []
                found: list[tuple[str, str, str | None]] = []
                shape_ratios = []
                for form, path in items:
                    if not path.exists():
                        print(f"{name:44s} {fmt:5s} LibreOffice made no file", flush=True)
                        continue
                    ok, total, wrong, findings = accuracy(path, form, "docx" if fmt in ("docx", "pdf") else "html")
                    ok_s, total_s, wrong_s, found = ok_s + ok, total_s + total, wrong_s + wrong, found + findings
                    if a.repeat > 0:
                        campaign = get_campaign(form.campaign)
                        bare = bare_pdf if fmt == "pdf" else bare_docx
                        if fmt in ("rtf", "doc"):
                            continue        # no bare reader of these formats to set it against
                        shape_ratios.append(best_ratio(lambda: extract_file(path, campaign),
                                                       lambda: bare(path), a.repeat))
                errors = sum(1 for sev, _c, _f in found if sev == "error")
                warnings = len(found) - errors
                tot = per_format[fmt]
                for k, v in enumerate((ok_s, total_s, errors, warnings, len(items))):
                    tot[k] += v
                ratios[fmt].extend(shape_ratios)
                ratio = f"{statistics.median(shape_ratios):6.2f}" if shape_ratios else f"{'-':>6s}"
                notes = sorted(set(wrong_s)) + sorted({f"{c}({f})" for _s, c, f in found})
                print(f"{name:44s} {fmt:5s} {100 * ok_s / max(1, total_s):6.1f}% {errors:4d} {warnings:4d} {ratio}  "
                      f"{', '.join(notes)[:90]}", flush=True)
    print()
    for fmt in formats:
        ok, total, errors, warnings, files = per_format[fmt]
        r = ratios[fmt]
        timing = (f"; extract+check / bare {'pdfplumber' if fmt == 'pdf' else 'python-docx'}: "
                  f"median {statistics.median(r):.2f}, max {max(r):.2f}") if r else ""
        print(f"{fmt:5s} fields {100 * ok / max(1, total):5.1f}% ({ok}/{total}) over {files} files; "
              f"false findings: {errors} errors, {warnings} warnings{timing}")


if __name__ == "__main__":
    main()
