"""A held-out measure of reading forms: shapes and contents the reading code was not tuned on.

    .venv/bin/python bench/bench_heldout.py [--start 9000] [--count 20] [--formats docx,html,rtf,pdf]
                                            [--ocr 0] [--photo 0] [--fax 0] [--twoup 0] [--json out.json]

HELD-OUT SEEDS: 9000–9999 belong to this bench.  Tests, fixtures and the shapes bench must never
use them (nor tune on the forms they make): a figure from forms the code was fitted to says
nothing about forms made by other hands.

Each seed makes one form of one campaign (bench/heldout_forms.py): a shape drawn by
`tests.form_shapes.random_shapes` from that seed, and a content of its own drawn from it: organisation and people's names,
dates written the ways the contract lists (2017年3月, 2017.3, 二〇一七年三月, 71年1月, 2017/4/20),
phones with the area code in brackets, full-width or after a dash or space, star ratings (四星级,
4星, ★★★★, sometimes 三星级), counts (45人, 四十八), dates out of order, an opinion not dated or
not stamped, a self-score above its item's maximum, and a narrative whose length lies around the
campaign's limit.  The expected values, 字数 and findings are computed by the generator,
from what it wrote — never by the reader.

Formats: docx (python-docx), html (HTML → .docx by LibreOffice), rtf (HTML → .rtf), pdf (the
.docx printed by LibreOffice), htmlpdf (the HTML page printed by LibreOffice: a PDF made by
another tool than the Word writer), doc (the .docx saved as Word 97 by LibreOffice); `--ocr N` also
prints the first N forms, rasterises every page at 150 dpi into an image-only PDF and reads that
(slow); `--photo N` photographs those pages instead — each page curled, shadowed on one side,
turned 1.5–3° on a desk and saved as a phone's JPEG, the photos bound into one PDF as a scanning
app makes it (slower still); `--fax N` scans them black and white at 200 dpi into a multi-page
TIFF; `--twoup N` prints two pages a landscape sheet and scans the sheets.  The HTML writer
stamps no seal and has no score sheet, so there every seal is rightly missing and the sheet is
not expected.

Per format: fields read right, 字数 right, findings recall and precision, and FALSE ERRORS per
form — errors the unit would be told about that its form does not have, the figure that matters
most (a false warning only asks a reviewer to look).  Findings are scored as
../shared/tools/score.py scores them: the contract's codes, less those one file cannot decide; a
doubt put to the reviewer instead (field.unread, seal.uncertain, …, see workers/checks/evidence.py)
claims nothing about the form and is counted apart ("doubts").
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dossier.campaigns import get_campaign  # noqa: E402
from heldout_forms import HELD_OUT, Case, expected_for, make_case  # noqa: E402
from tests import form_shapes as fs  # noqa: E402
from workers.extraction import extract_file  # noqa: E402

FORMATS = ("docx", "html", "rtf", "pdf", "htmlpdf", "doc")
SCANNED = ("ocr", "photo", "fax", "twoup")      # the .docx printed, then scanned or photographed
# scored as ../shared/tools/score.py scores them: the contract's codes, less those one file cannot
# decide; a doubt for the reviewer (field.unread, seal.uncertain, …) claims nothing about the form
SCORED = {"file.unsupported", "file.unreadable", "form.unrecognised", "field.missing", "field.invalid",
          "length.over_limit", "length.out_of_range", "seal.missing", "signature.missing", "date.missing",
          "eligibility.star_rating", "rubric.over_max", "rubric.total_mismatch"}


# ---------------------------------------------------------------- building and reading

def _squeeze(v: object) -> object:
    """Long texts compared as a person compares them: line breaks and spaces aside."""
    return re.sub(r"\s+", "", v) if isinstance(v, str) else v


def build(cases: list[Case], folder: Path, fmt: str) -> list[tuple[Case, str, Path]]:
    """Every case written for `fmt` (case, writer, file), converted in one LibreOffice run."""
    folder.mkdir(parents=True)
    writer = "docx" if fmt in ("docx", "pdf", "doc", *SCANNED) else "html"
    made = []
    for c in cases:
        stem = f"heldout-{c.seed}"
        if writer == "docx":
            made.append((c, writer, fs.write_docx(folder / f"{stem}.docx", c.form, c.shape)))
        else:
            form = fs.Form(**{**c.form.__dict__, "scores": []})     # the HTML writer has no score sheet
            made.append((c, writer, fs.write_html(folder / f"{stem}.html", form, c.shape)))
    if fmt == "docx":
        return made
    ext = "pdf" if fmt in SCANNED or fmt == "htmlpdf" else "docx" if fmt == "html" else fmt
    converted = fs.convert_all([p for _c, _w, p in made], folder / "out", ext)
    if fmt in SCANNED:
        converted = [rasterise(p, fmt, seed=c.seed) for (c, _w, _p), p in zip(made, converted)]
    return [(c, w, p) for (c, w, _p), p in zip(made, converted)]


def rasterise(pdf: Path, kind: str = "ocr", seed: int = 0) -> Path:
    """The printed form as a scan (see the module's docstring): `ocr` every page at 150 dpi in
    colour into an image-only PDF; `photo` phone photos of the pages; `fax` a black-and-white
    200 dpi multi-page TIFF (CCITT group 4, as an office scanner files it); `twoup` the pages
    printed two to a landscape sheet, each sheet scanned at 150 dpi."""
    from PIL import Image

    from tests import image_factory as imf
    if not pdf.exists():
        return pdf
    dpi = "200" if kind == "fax" else "150"
    subprocess.run(["pdftoppm", "-r", dpi, "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    pages = [Image.open(p).convert("RGB") for p in sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))]
    if kind == "photo":
        pages = [_photo(p, seed * 7 + k) for k, p in enumerate(pages)]
    if kind == "fax":
        out = pdf.with_name(pdf.stem + "-fax.tif")
        bits = [imf.one_bit(p, noise=6, seed=seed + k) for k, p in enumerate(pages)]
        bits[0].save(out, save_all=True, append_images=bits[1:], compression="group4", dpi=(200, 200))
        return out
    if kind == "twoup":
        pages = [imf.two_up(pages[k], pages[k + 1] if k + 1 < len(pages) else None)
                 for k in range(0, len(pages), 2)]
    out = pdf.with_name(pdf.stem + "-scan.pdf")
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=150)
    return out


def _photo(page, seed: int):
    """One page as a phone photographs it lying on a desk."""
    import io
    import random

    from PIL import Image

    from tests import image_factory as imf
    rng = random.Random(seed)
    shot = imf.photographed(imf.shadowed(imf.curled(page, depth=rng.uniform(6, 14)), depth=rng.uniform(0.25, 0.45),
                                         side=rng.choice(["left", "right"])),
                            angle=rng.choice([-1, 1]) * rng.uniform(1.5, 3.0), bend=rng.uniform(6, 14))
    buf = io.BytesIO()
    shot.save(buf, "JPEG", quality=rng.randint(75, 90))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


@dataclass
class Tally:
    forms: int = 0
    fields_ok: int = 0
    fields: int = 0
    counts_ok: int = 0
    counts: int = 0
    true_pos: int = 0
    expected: int = 0
    reported: int = 0
    false_errors: int = 0
    false_warnings: int = 0
    missed: int = 0
    doubts: int = 0
    crashes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, object]:
        pct = lambda a, b: round(100 * a / b, 1) if b else None  # noqa: E731
        return {"forms": self.forms, "fields_pct": pct(self.fields_ok, self.fields),
                "counts_pct": pct(self.counts_ok, self.counts),
                "findings_recall_pct": pct(self.true_pos, self.expected),
                "findings_precision_pct": pct(self.true_pos, self.reported),
                "false_errors_per_form": round(self.false_errors / self.forms, 2) if self.forms else None,
                "false_errors": self.false_errors, "false_warnings": self.false_warnings,
                "expected_findings": self.expected, "reported_findings": self.reported,
                "missed_findings": self.missed, "doubts_for_reviewer": self.doubts, "crashes": self.crashes,
                "seconds_per_form": round(self.seconds / self.forms, 2) if self.forms else None}


def score(case: Case, writer: str, path: Path, tally: Tally) -> None:
    """Read one file and add what it got right and wrong to `tally`."""
    values, truth = expected_for(case, writer)
    tally.forms += 1
    tally.fields += sum(len(v) for v in values.values())
    tally.counts += len(case.counts)
    tally.expected += len(truth)
    if not path.exists():
        tally.crashes += 1
        tally.notes.append(f"{case.seed}: LibreOffice made no file")
        return
    t = time.perf_counter()
    try:
        r = extract_file(path, get_campaign(case.form.campaign))
    except Exception as e:  # noqa: BLE001  (a crash is a figure, not the end of the run)
        tally.crashes += 1
        tally.notes.append(f"{case.seed} {case.shape.name}: CRASH {type(e).__name__}: {e}")
        return
    tally.seconds += time.perf_counter() - t
    got = {d.kind: d for d in r.documents}
    wrong = []
    for kind, fields in values.items():
        doc = got.get(kind)
        for key, want in fields.items():
            have = doc.fields[key].value if doc is not None and key in doc.fields else None
            if _squeeze(have) == _squeeze(want):
                tally.fields_ok += 1
            else:
                wrong.append(f"{key}={str(have)[:20]!r}≠{str(want)[:20]!r}")
    for key, n in case.counts.items():
        have_n = next((d.counts.get(key) for d in r.documents if key in d.counts), None)
        if have_n == n:
            tally.counts_ok += 1
        else:
            wrong.append(f"字数 {key} {have_n}≠{n}")
    reported = {(f.code, f.field or ""): f.severity for f in r.findings if f.code in SCORED}
    reasons = {(f.code, f.field or ""): f.extra.get("reason", "") for f in r.findings}
    doubts = {(f.extra.get("checked", f.code), f.field or ""): f.code for f in r.findings if f.code not in SCORED}
    tally.doubts += len(doubts)
    tally.reported += len(reported)
    tally.true_pos += len(truth & reported.keys())
    false = {k: sev for k, sev in reported.items() if k not in truth}
    tally.false_errors += sum(1 for sev in false.values() if sev == "error")
    tally.false_warnings += sum(1 for sev in false.values() if sev != "error")
    tally.missed += len(truth - reported.keys())
    notes = wrong + [f"FALSE {sev} {c}({f})" + (f"[{reasons[c, f]}]" if reasons.get((c, f)) else "")
                     for (c, f), sev in false.items()] \
        + [f"MISSED {c}({f})" + (f"[asked as {doubts[c, f]}]" if (c, f) in doubts else "")
           for c, f in truth - reported.keys()]
    if notes:
        tally.notes.append(f"{case.seed} {case.shape.name}: " + "; ".join(notes))


def run(start: int, count: int, formats: list[str], ocr: int, verbose: bool = False,
        dev: bool = False, photo: int = 0, fax: int = 0, twoup: int = 0) -> dict[str, dict[str, object]]:
    """The figures per format for seeds start … start+count-1 (and the first `ocr` as scans, the
    first `photo` as photos, `fax` as 1-bit TIFFs, `twoup` as two-up sheets).

    `dev`: seeds OUTSIDE the held-out range, for looking at what goes wrong while changing the
    reader — the held-out forms themselves are only measured, never studied."""
    seeds = range(start, start + count)
    if dev and set(seeds) & set(HELD_OUT):
        raise SystemExit(f"--dev seeds must lie outside the held-out range {HELD_OUT.start}–{HELD_OUT.stop - 1}")
    if not dev and not set(seeds) <= set(HELD_OUT):
        raise SystemExit(f"seeds must lie in the held-out range {HELD_OUT.start}–{HELD_OUT.stop - 1}")
    cases = [make_case(s) for s in seeds]
    out: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scanned = {"ocr": ocr, "photo": photo, "fax": fax, "twoup": twoup}
        for fmt in formats + [k for k, n in scanned.items() if n]:
            tally = Tally()
            some = cases[:scanned[fmt]] if fmt in scanned else cases
            for case, writer, path in build(some, Path(tmp) / fmt, fmt):
                score(case, writer, path, tally)
            # which form read wrong, and how, is told for development seeds only: on held-out
            # seeds it would be a list of what to fit
            out[fmt] = {**tally.figures(), **({"notes": tally.notes} if dev else {})}
            if verbose and dev:
                print("\n".join(f"  [{fmt}] {n}" for n in tally.notes), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--start", type=int, default=9000, help="first held-out seed (9000–9999)")
    ap.add_argument("--count", type=int, default=20, help="forms per format (one per seed; even seeds Jinhua, odd Yueyang)")
    ap.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, of {', '.join(FORMATS)}")
    ap.add_argument("--ocr", type=int, default=0, help="also read the first N forms printed and rasterised (slow)")
    ap.add_argument("--photo", type=int, default=0, help="also read the first N forms printed and photographed (slower)")
    ap.add_argument("--fax", type=int, default=0, help="also read the first N forms printed as 1-bit 200 dpi TIFFs (slow)")
    ap.add_argument("--twoup", type=int, default=0, help="also read the first N forms printed two pages a sheet (slow)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print what each form got wrong (--dev seeds only)")
    ap.add_argument("--dev", action="store_true",
                    help="development seeds (outside 9000–9999) to study failures on; not a held-out figure")
    a = ap.parse_args()
    formats = [f for f in a.formats.split(",") if f]
    if set(formats) - set(FORMATS):
        ap.error(f"unknown formats: {', '.join(sorted(set(formats) - set(FORMATS)))}")
    t0 = time.perf_counter()
    figures = run(a.start, a.count, formats, a.ocr, a.verbose, a.dev, a.photo, a.fax, a.twoup)
    print(f"{'DEVELOPMENT' if a.dev else 'held-out'} seeds {a.start}–{a.start + a.count - 1}, {time.perf_counter() - t0:.0f} s")
    print(f"{'format':7s} {'forms':>5s} {'fields':>7s} {'字数':>6s} {'recall':>7s} {'precis.':>7s} "
          f"{'false err/form':>14s} {'false warn':>10s} {'doubts':>6s} {'crash':>5s} {'s/form':>6s}")
    show = lambda v: f"{v:.1f}" if isinstance(v, float) else "-" if v is None else str(v)  # noqa: E731
    for fmt, f in figures.items():
        print(f"{fmt:7s} {f['forms']:5d} {show(f['fields_pct']):>7s} {show(f['counts_pct']):>7s} "
              f"{show(f['findings_recall_pct']):>7s} {show(f['findings_precision_pct']):>7s} "
              f"{show(f['false_errors_per_form']):>14s} {f['false_warnings']:10d} {f['doubts_for_reviewer']:6d} "
              f"{f['crashes']:5d} "
              f"{show(f['seconds_per_form']):>6s}")
    if a.json:
        a.json.write_text(json.dumps({"start": a.start, "count": a.count, "formats": figures},
                                     ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
