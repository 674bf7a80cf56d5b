"""OCR throughput and accuracy: dossier's per-page OCR path against the bare RapidOCR engine
and, where installed, tesseract (chi_sim), on the same page images.

Pages: the sample scans and photos (../shared/samples) when present, else rendered 推荐表 pages.
Accuracy: all expected field values (and narrative text) of a sample concatenated, against the
page's OCR text, as difflib's ratio over characters (whitespace dropped).  Prints figures only.

    .venv/bin/python bench/bench_ocr.py [--pages N]
"""
from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "samples"


def _pages(limit: int) -> list[tuple[str, np.ndarray, str]]:
    """(name, RGB page, expected text or '') for the sample scans/photos, else rendered pages."""
    from dossier.settings import get_settings
    from workers.extract.ocr_pages import image_pages, pdf_pages
    out: list[tuple[str, np.ndarray, str]] = []
    if SAMPLES.is_dir():
        for exp_path in sorted(SAMPLES.glob("*.expected.json")):
            exp = json.loads(exp_path.read_text(encoding="utf-8"))
            if not exp.get("scan"):
                continue
            path = SAMPLES / exp["file"]
            pages = pdf_pages(path, get_settings()) if path.suffix == ".pdf" else image_pages(path, get_settings())
            # the expected text is per file: only its first page is scored for accuracy
            text = "".join(str(v) for d in exp["documents"] for k, v in d["fields"].items() if k != "text")
            for p in pages:
                out.append((f"{path.name}#{p.page}", p.image, text if p.page == 1 else ""))
    if not out:
        from tests.image_factory import JINHUA_PAGE_VALUES, jinhua_page
        text = "".join(v for k, v in JINHUA_PAGE_VALUES.items() if k != "opinion.date")
        out = [(f"rendered#{i}", np.asarray(jinhua_page()), text) for i in range(3)]
    return out[:limit]


def _norm(s: str) -> str:
    return "".join(s.split())


def _accuracy(expected: str, got: str) -> float:
    """Share of the expected characters found in order in the OCR text (matching blocks)."""
    e, g = _norm(expected), _norm(got)
    if not e:
        return float("nan")
    sm = difflib.SequenceMatcher(None, e, g, autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()) / len(e)


def _timed(fn, pages):
    texts, t0 = [], time.perf_counter()
    for _, img, _ in pages:
        texts.append(fn(img))
    return time.perf_counter() - t0, texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    from dossier.settings import get_settings
    from workers.extract.ocr_engine import engine
    from workers.extract.ocr_reader import ocr_page

    pages = _pages(args.pages)
    settings = get_settings()
    eng = engine()
    eng(pages[0][1])                     # load and warm the models outside the timings

    def dossier_page(img: np.ndarray) -> str:
        result, _ = ocr_page(img, 1, settings)
        return "".join(l["text"] for l in result["lines"])

    def bare(img: np.ndarray) -> str:
        res = eng(img, use_det=True, use_cls=True, use_rec=True)   # RapidOCR keeps flags between calls
        return "".join(res.txts or ())

    rows = [("dossier ocr_page", *_timed(dossier_page, pages)), ("RapidOCR()(image)", *_timed(bare, pages))]
    if shutil.which("tesseract") and "chi_sim" in subprocess.run(["tesseract", "--list-langs"],
                                                                 capture_output=True, text=True).stdout:
        from PIL import Image

        def tess(img: np.ndarray) -> str:
            with tempfile.NamedTemporaryFile(suffix=".png") as f:
                Image.fromarray(img).save(f.name)
                return subprocess.run(["tesseract", f.name, "-", "-l", "chi_sim", "--psm", "3"],
                                      capture_output=True, text=True).stdout
        rows.append(("tesseract chi_sim", *_timed(tess, pages)))
    print(f"{len(pages)} pages: " + ", ".join(n for n, _, _ in pages))
    base = rows[1][1]
    print(f"{'engine':<20} {'pages/s':>8} {'s/page':>7} {'vs bare':>8} {'char acc':>9}")
    for name, secs, texts in rows:
        accs = [_accuracy(p[2], t) for p, t in zip(pages, texts) if p[2]]
        acc = sum(accs) / len(accs) if accs else float("nan")
        print(f"{name:<20} {len(pages) / secs:8.3f} {secs / len(pages):7.2f} {secs / base:8.2f} {acc:9.3f}")


if __name__ == "__main__":
    main()
