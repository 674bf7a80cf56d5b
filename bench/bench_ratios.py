"""dossier against the bare libraries it reads with, on the same files, in one run.

    .venv/bin/python bench/bench_ratios.py [--files 6] [--repeat 5] [--pages 2] [--no-ocr]

Three ratios, each dossier's time over the bare library's on the very same files
(the issue's targets in brackets):

- Word: `extract_file` (read, locate, normalise, check) against python-docx opening
  the file and walking every paragraph and every cell's text   [≤ 1.3×]
- text PDF: `extract_file` against pdfplumber's words + lines + rects of every page;
  the reader alone (`read_pdf`) is shown too                   [≤ 1.5×]
- OCR: dossier's page OCR (`ocr_page`: geometry, grid, seals, text) against a bare
  RapidOCR call on the same page image, and the whole `extract_file` of a sample photo
  against RapidOCR on that photo decoded                        [≤ 1.2×]

Files: generated 推荐表/申报表 (tests/docx_factory) as .docx and, printed by LibreOffice,
as text PDFs, plus the shared samples when they are beside the project.  Each file is
timed `--repeat` times, dossier and bare interleaved (so load on the machine hits both
alike); the fastest run per file is summed.  Prints figures only.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "samples"

from dossier.campaigns import get_campaign  # noqa: E402
from tests import docx_factory as make  # noqa: E402
from workers.extraction import extract_file  # noqa: E402


def campaign_of(path: Path) -> str:
    return "jinhua-2015" if path.name.startswith("j") else "yueyang-2017"


def word_files(folder: Path, n: int) -> list[Path]:
    maxima = [it.max for it in get_campaign("yueyang-2017").document("score_sheet").rubric.items]
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(make.jinhua_form(folder / f"j{i}.docx", {"deeds": make.narrative(900 + 37 * i, seed=i)}))
        else:
            out.append(make.yueyang_form(folder / f"y{i}.docx", {"material": make.narrative(1200 + 37 * i, seed=i)},
                                         scores=maxima, total=100))
    return out + sorted(SAMPLES.glob("*.docx"))


def pdf_files(folder: Path, words: list[Path]) -> list[Path]:
    """Text PDFs: the generated Word forms printed by LibreOffice, and the samples' text PDFs."""
    out: list[Path] = []
    if shutil.which("soffice"):
        from tests.office import soffice_convert
        for w in words:
            if w.parent == folder:
                out.append(soffice_convert(w, "pdf", folder))
    import pdfplumber
    for p in sorted(SAMPLES.glob("*.pdf")):
        with pdfplumber.open(str(p)) as pdf:
            if sum(len(pg.chars) for pg in pdf.pages) > 50:      # a scan has no text layer
                out.append(p)
    return out


def bare_docx(path: Path) -> int:
    """python-docx: open, and every paragraph's and every cell's text."""
    import docx
    d = docx.Document(str(path))
    n = sum(len(p.text) for p in d.paragraphs)
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                n += len(cell.text)
    return n


def bare_pdf(path: Path) -> int:
    """pdfplumber: every page's words, lines and rects."""
    import pdfplumber
    n = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            n += len(page.extract_words()) + len(page.lines) + len(page.rects)
            page.close()
    return n


def timed_pair(files: list, ours: Callable, bare: Callable, repeat: int) -> tuple[float, float]:
    """Sum over files of the fastest time of `ours(f)` and of `bare(f)`, interleaved: on a shared
    machine the fastest of a few runs is the one least disturbed by others, for both alike."""
    total_ours = total_bare = 0.0
    for f in files:
        ours(f)
        bare(f)                                # warm caches and imports outside the timings
        t_ours, t_bare = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            bare(f)
            t1 = time.perf_counter()
            ours(f)
            t2 = time.perf_counter()
            t_bare.append(t1 - t0)
            t_ours.append(t2 - t1)
        total_ours += min(t_ours)
        total_bare += min(t_bare)
    return total_ours, total_bare


def row(name: str, n: int, ours: float, bare: float, target: float) -> str:
    ratio = ours / bare if bare else float("nan")
    mark = "ok" if ratio <= target else "over"
    return (f"{name:<34} {n:>5} {1000 * ours / n:>10.1f} {1000 * bare / n:>10.1f} {ratio:>7.2f}× "
            f"{'≤ %.1f×' % target:>7} {mark}")


def ocr_pages(limit: int) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_ocr import _pages
    return _pages(limit)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=6, help="generated forms (each as .docx and as PDF)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pages", type=int, default=2, help="OCR pages (seconds each)")
    ap.add_argument("--no-ocr", action="store_true")
    a = ap.parse_args()
    campaigns = {c: get_campaign(c) for c in ("jinhua-2015", "yueyang-2017")}
    lines = [f"{'path':<34} {'files':>5} {'ms/file':>10} {'bare ms':>10} {'ratio':>8} {'target':>7}"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        words = word_files(folder, a.files)
        pdfs = pdf_files(folder, words)

        def extract(p: Path) -> object:
            return extract_file(p, campaigns[campaign_of(p)])

        ours, bare = timed_pair(words, extract, bare_docx, a.repeat)
        lines.append(row("Word extract+check / python-docx", len(words), ours, bare, 1.3))
        if pdfs:
            from workers.extract.pdf_reader import read_pdf
            from workers.extract.readers import ReadContext

            def reader(p: Path) -> object:
                return read_pdf(p, ReadContext(name=p.name, format="pdf"))

            ours, bare = timed_pair(pdfs, extract, bare_pdf, a.repeat)
            lines.append(row("text PDF extract+check / plumber", len(pdfs), ours, bare, 1.5))
            ours, bare = timed_pair(pdfs, reader, bare_pdf, a.repeat)
            lines.append(row("text PDF reader only / plumber", len(pdfs), ours, bare, 1.5))
    if not a.no_ocr and a.pages > 0:
        from dossier.settings import get_settings
        from workers.extract.ocr_engine import engine
        from workers.extract.ocr_reader import ocr_page
        settings, eng = get_settings(), engine()
        pages = [img for _name, img, _text in ocr_pages(a.pages)]
        ours, bare = timed_pair(pages, lambda img: ocr_page(img, 1, settings),
                                lambda img: eng(img, use_det=True, use_cls=True, use_rec=True),
                                max(1, min(a.repeat, 2)))
        lines.append(row("OCR page / bare RapidOCR", len(pages), ours, bare, 1.2))
        photos = sorted(p for p in SAMPLES.glob("*") if p.suffix.lower() in (".jpg", ".png"))[:a.pages]
        if photos:
            import numpy as np
            from PIL import Image

            def bare_file(p: Path) -> object:
                with Image.open(p) as im:
                    return eng(np.asarray(im.convert("RGB")), use_det=True, use_cls=True, use_rec=True)

            ours, bare = timed_pair(photos, extract, bare_file, max(1, min(a.repeat, 2)))
            lines.append(row("OCR file extract+check / RapidOCR", len(photos), ours, bare, 1.2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
