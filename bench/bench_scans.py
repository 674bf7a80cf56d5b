"""Scans and photos of forms made in Word: per-kind field accuracy of `dossier extract`.

Every Word form with ground truth (../shared/samples/*.docx/.doc/.wps, and the table and label-line
shapes of tests/form_shapes.py) is printed to PDF by LibreOffice, rasterised with pdftoppm and
degraded the ways units scan and photograph paper: a colour scan, a greyscale scan, a 1-bit TIFF,
a low-resolution PNG, a page turned a quarter, two pages side by side on one sheet, a photo with
shadow and curl.  Each variant is read in this process and scored with the samples' scorer
(../shared/tools/score.py) against the fields the text-PDF reading of the same print gets right
(so that a form LibreOffice lays out wrongly does not count against the scans); single-image
variants hold the first page (or two), and keep only the fields on those pages.  Prints figures only.

    .venv/bin/python bench/bench_scans.py [--only NAME] [--variants scan,tif1bit] [--shapes table,…] [--keep DIR]

OCR costs seconds a page: the whole sweep (12 sources, 7 variants) takes most of an hour on two
busy cores; --only and --variants pick a part.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from PIL import Image  # noqa: E402

from tests import image_factory as f  # noqa: E402
from tests.office import soffice_convert  # noqa: E402


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score", SHARED / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _save_pdf(pages: list[Image.Image], out: Path, dpi: int, quality: int = 75) -> None:
    rgb = [p.convert("RGB") for p in pages]
    rgb[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=rgb[1:], quality=quality)


def _jpeg(img: Image.Image, out: Path, quality: int = 80) -> None:
    img.convert("RGB").save(out, "JPEG", quality=quality)


# variant -> (pages it takes: None all, n the first n), how it is written
Writer = Callable[[list[Image.Image], Path], Path]


def _scan(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".pdf")
    _save_pdf([f.degraded(p.rotate(0.7, resample=Image.BICUBIC, fillcolor=(255, 255, 255)))
               for p in pages], out, 150)
    return out


def _scan_grey(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".pdf")
    _save_pdf([f.greyscale(p) for p in pages], out, 150)
    return out


def _tif1bit(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".tif")
    bits = [f.one_bit(p) for p in pages]
    bits[0].save(out, compression="group4", save_all=True, append_images=bits[1:], dpi=(200, 200))
    return out


def _png_lowres(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".png")
    f.low_res(pages[0], 0.5).save(out)
    return out


def _rotated(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".jpg")
    _jpeg(pages[0].rotate(-90, expand=True).rotate(1.2, resample=Image.BICUBIC, expand=True,
                                                   fillcolor=(255, 255, 255)), out)
    return out


def _two_up(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".jpg")
    _jpeg(f.two_up(pages[0], pages[1] if len(pages) > 1 else None), out)
    return out


def _photo(pages: list[Image.Image], base: Path) -> Path:
    out = base.with_suffix(".jpg")
    _jpeg(f.photographed(f.shadowed(f.curled(pages[0])), angle=2.5), out, 85)
    return out


VARIANTS: dict[str, tuple[int | None, int, Writer]] = {
    # name: (pages taken, rasterising dpi, writer)
    "scan": (None, 150, _scan),
    "scan-grey": (None, 150, _scan_grey),
    "tif1bit": (None, 200, _tif1bit),
    "png-lowres": (1, 200, _png_lowres),
    "rotated": (1, 150, _rotated),
    "two-up": (2, 110, _two_up),
    "photo": (1, 150, _photo),
}


# shapes of tests/form_shapes.py that LibreOffice prints as a person sees them (its text boxes,
# drawn boxes and frames overlap or are cut at the page's end in its PDF)
SHAPE_BODIES = ("table", "lines")


def _sources(only: str, work: Path, shapes: list[str]) -> list[tuple[Path, dict]]:
    """(Word file, its expectation in the scorer's form): the samples' Word files, and the forms
    of tests/form_shapes.py in the shapes LibreOffice prints faithfully."""
    out = []
    for exp_path in sorted((SHARED / "samples").glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        if exp.get("format") in ("docx", "doc", "wps") and only in exp["file"]:
            src = SHARED / "samples" / exp["file"]
            if src.suffix == ".wps":       # LibreOffice takes .wps for Microsoft Works: say what it is
                shutil.copy(src, work / f"{src.stem}.doc")
                src = work / f"{src.stem}.doc"
            out.append((src, exp))
    try:
        from tests import form_shapes as fs
    except ImportError:
        return out
    for make in (fs.jinhua, fs.yueyang):
        form = make()
        for shape in fs.SHAPES:
            name = f"shape-{form.campaign[:7]}-{shape.name}"
            if shape.body not in SHAPE_BODIES or only not in name or shape.name not in shapes:
                continue
            # findings: those of the print read as a text PDF (None here, filled in by main)
            exp = {"file": "", "format": "docx", "campaign": form.campaign, "findings": None,
                   "documents": [{"kind": k, "fields": v, "counts": {}} for k, v in fs.expected(form).items()]}
            out.append((fs.write_docx(work / f"{name}.docx", form, shape), exp))
    return out


def _extract(path: Path, campaign: str) -> dict:
    from dossier.campaigns import get_campaign
    from workers.extraction import extract_file
    t0 = time.perf_counter()
    try:
        out = extract_file(path, get_campaign(campaign)).to_json()
        return {"rc": 0, "out": out, "err": "", "secs": time.perf_counter() - t0, "crash": None}
    except Exception as e:  # noqa: BLE001 - a crash is a figure here
        return {"rc": 1, "out": None, "err": repr(e), "secs": time.perf_counter() - t0, "crash": repr(e)}


def _expectation(exp: dict, text_pdf: dict, pages: int | None, name: str, score: Any) -> dict:
    """The ground truth for a variant: the fields the text-PDF reading of LibreOffice's print got
    right (what the print shows; a field LibreOffice lays out wrongly is no scan's fault), and of
    those, for a variant holding the first `pages` pages only, the fields on those pages."""
    out = json.loads(json.dumps(exp))
    out["file"] = name
    if out["findings"] is None:
        out["findings"] = [{"code": f["code"], "field": f["field"]} for f in text_pdf["findings"]]
    got = {}
    for d in text_pdf["documents"]:
        for k, v in d["fields"].items():
            got[(d["kind"], k)] = v
    for d in out["documents"]:
        keep = {}
        for k, want in d["fields"].items():
            v = got.get((d["kind"], k))
            value = score.field_value({k: v}, k) if v is not None else None
            if v is None or not score.compare(k, want, value, False):
                continue
            page = v.get("page") if isinstance(v, dict) else None
            if pages is not None and ((page or 99) > pages or (isinstance(want, str) and len(want) > 40)):
                continue
            keep[k] = want
        d["fields"] = keep
        if pages is not None:
            d["counts"] = {}
    out["documents"] = [d for d in out["documents"] if d["fields"]]
    if pages is not None:
        out["findings"] = []      # which findings a part of the file gives is not known
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--keep", default="", help="write the variants and their expectations here")
    ap.add_argument("--shapes", default="table,table-split_labels,lines-colonx3",
                    help="form shapes of tests/form_shapes.py to add (names as Shape.name gives them)")
    args = ap.parse_args()
    score = _scorer()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scans-"))
    work.mkdir(parents=True, exist_ok=True)
    tallies: dict[str, Any] = {}
    details = []
    for src, exp in _sources(args.only, work, args.shapes.split(",")):
        pdf = soffice_convert(src, "pdf", work)
        text_pdf = _extract(pdf, exp["campaign"])["out"]
        if not text_pdf or not text_pdf["documents"]:
            print(f"  {src.name}: LibreOffice's print of it holds no form; left out", flush=True)
            continue
        for name in args.variants.split(","):
            take, dpi, writer = VARIANTS[name]
            pages = f.rasterise(pdf, dpi=dpi, last=take)
            path = writer(pages, work / f"{src.stem}-{name}")
            want = _expectation(exp, text_pdf, take, path.name, score)
            (work / f"{path.stem}.expected.json").write_text(json.dumps(want, ensure_ascii=False, indent=1))
            t, detail = score.evaluate(want, _extract(path, exp["campaign"]), False)
            tallies.setdefault(name, score.Tally()).add(t)
            details.append(detail)
            print(f"  {path.name:<48} fields {t.f_ok}/{t.f_all} findings tp {t.tp} fn {t.fn} fp {t.fp}"
                  f" {t.secs:.1f}s", flush=True)
    print(score.HEADER)
    total = score.Tally()
    for name, t in tallies.items():
        print(t.row(name))
        total.add(t)
    print(total.row("all"))
    (work / "details.json").write_text(json.dumps(details, ensure_ascii=False, indent=1))
    print(f"details: {work / 'details.json'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
