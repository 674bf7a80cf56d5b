"""The OCR path (scans and photos) on pages the tests render, on the shared samples,
and on bad input.

OCR costs seconds a page, so every page is rendered small (~1200 px wide) and OCR'd
once per module; the tests then look at the shared results.  The fast bad-input
tests need no OCR at all (the limits are checked before any pixel is decoded).
"""
from __future__ import annotations

import json
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from tests.docx_factory import JINHUA_VALUES, jinhua_form
from tests.image_factory import cjk_font_path, degraded, dull_seal, jinhua_page, photographed, seal_box
from workers.extract.readers import ReadContext
from workers.extraction import analyse, extract_file

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
NEUTRAL = {"document.missing", "deadline.passed", "quota.exceeded", "ocr.low_confidence"}
JINHUA = get_campaign("jinhua-2015")

# what the rendered page's values normalise to (the contract's rules)
WANT = {
    "filing_unit": "中共金华市直属机关工作委员会", "org_name": "中共金华市财政局机关支部委员会",
    "unit_category": "机关", "star_rating": 4, "site_type": "服务民生关爱群众", "member_count": 45,
    "secretary.name": "王建国", "secretary.gender": "男", "secretary.birth": "1972-05",
    "secretary.ethnicity": "汉族", "secretary.education": "大学本科", "secretary.position": "副局长",
    "secretary.joined_party": "1995-07", "secretary.since": "2012-03", "honors": "2014年度市级文明单位",
    "deeds": "详见附页", "opinion.submitting_org": "同意推荐。",
}

needs_font = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")


def _norm(v: object) -> object:
    if isinstance(v, str):
        return "".join(v.split())
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _extract(path: Path) -> dict[str, Any]:
    return extract_file(path, JINHUA).to_json()


def _fields(r: dict[str, Any], kind: str = "recommendation_form") -> dict[str, Any]:
    docs = {d["kind"]: d for d in r["documents"]}
    assert kind in docs, f"no {kind} in {[d['kind'] for d in r['documents']]}: {r['findings']}"
    return docs[kind]["fields"]


def _marks(r: dict[str, Any], field: str, kind: str) -> list[dict[str, Any]]:
    return [m for d in r["documents"] for m in d.get("marks", []) if m["field"] == field and m["kind"] == kind]


def _codes(r: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(f["code"], f["field"]) for f in r["findings"] if f["code"] not in NEUTRAL}


def _iou(a: list[float], b: tuple[int, int, int, int] | list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# ----------------------------------------------------------- rendered pages

@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each variant of the rendered 推荐表 extracted once: OCR is the slow part."""
    if cjk_font_path() is None:
        pytest.skip("no CJK font (fc-list :lang=zh)")
    d = tmp_path_factory.mktemp("ocr_pages")
    sealed = jinhua_page()
    variants = {
        "sealed.png": sealed,
        # no seal and an empty 年 月 日 line on one page: each finding names its own cause
        "bare.png": jinhua_page(seal=False, date=False),
        # a phone photo taken sideways (no EXIF orientation to help)
        "turned.jpg": sealed.rotate(90, expand=True),
        "grey.png": jinhua_page(seal=False).convert("L"),
        "grey_sealed.png": sealed.convert("L"),
        "degraded.jpg": degraded(sealed),
        # a photo of a sheet lying on a desk, turned by 3° and not flat
        "photographed.jpg": photographed(sealed, angle=3.0, bend=40.0),
        # a dull brick-red seal in a colour-subsampled JPEG
        "dull_seal.jpg": dull_seal(sealed),
    }
    out = {}
    for name, img in variants.items():
        p = d / name
        img.save(p, quality=92) if name.endswith(".jpg") else img.save(p)
        out[name.split(".")[0]] = _extract(p)
    return out


@pytest.mark.slow
@needs_font
class TestRenderedPage:
    def test_fields_read_with_where_they_came_from(self, pages: dict[str, dict[str, Any]]) -> None:
        """Every field of a clean colour scan is read, each with its page, box and confidence."""
        r = pages["sealed"]
        assert r["file"]["method"] == "ocr" and r["file"]["pages"] == 1
        fields = _fields(r)
        for key, want in WANT.items():
            got = fields[key]
            assert _norm(got["value"]) == _norm(want), key
            assert got["page"] == 1 and 0.0 < got["confidence"] <= 1.0, key
            x0, y0, x1, y1 = got["box"]
            assert 0 <= x0 < x1 <= 1200 and 0 <= y0 < y1 <= 1700, key
        assert _codes(r) == set()

    def test_seal_found_where_it_was_stamped(self, pages: dict[str, dict[str, Any]]) -> None:
        """The seal over 呈报单位党组织意见 is one seal, reported with its box and as the opinion's mark."""
        r = pages["sealed"]
        assert len(r["seals"]) == 1, r["seals"]   # ring, star and arc text are one seal
        assert _iou(r["seals"][0]["box"], seal_box()) > 0.7
        marks = _marks(r, "opinion.submitting_org", "seal")
        assert marks and marks[0]["present"] and _iou(marks[0]["box"], seal_box()) > 0.7
        dates = _marks(r, "opinion.submitting_org", "date")
        assert dates and dates[0]["present"] and dates[0]["value"] == "2015-11-05"

    def test_no_seal_and_no_date(self, pages: dict[str, dict[str, Any]]) -> None:
        """Without a stamp on a colour scan the seal is missing (an error); an empty 年 月 日 line is date.missing."""
        r = pages["bare"]
        assert _codes(r) == {("seal.missing", "opinion.submitting_org"), ("date.missing", "opinion.submitting_org")}
        assert not r.get("seals")
        assert _norm(_fields(r)["opinion.submitting_org"]["value"]) == "同意推荐。"

    def test_turned_page(self, pages: dict[str, dict[str, Any]]) -> None:
        """A page lying on its side is turned upright: the same fields, the seal on the opinion."""
        r = pages["turned"]
        fields = _fields(r)
        assert {k: _norm(fields[k]["value"]) for k in WANT} == {k: _norm(v) for k, v in WANT.items()}
        assert _marks(r, "opinion.submitting_org", "seal")[0]["present"]
        assert _codes(r) == set()

    def test_greyscale_clean_paper_is_unstamped(self, pages: dict[str, dict[str, Any]]) -> None:
        """On a greyscale scan no red can be seen, but where the opinion's paper is clean (no ink
        but the text read and the rules) nothing was stamped there: seal.missing, as on colour."""
        r = pages["grey"]
        assert ("seal.missing", "opinion.submitting_org") in _codes(r)
        assert _norm(_fields(r)["org_name"]["value"]) == _norm(WANT["org_name"])

    def test_greyscale_seal_is_never_missing(self, pages: dict[str, dict[str, Any]]) -> None:
        """A seal stamped on a greyscale scan: found by its ring, or at least ink where it lies that
        no text explains (a warning to look) — never the unit's seal.missing."""
        r = pages["grey_sealed"]
        codes = _codes(r)
        assert not any(c == "seal.missing" for c, _ in codes)
        warn = [f for f in r["findings"] if f["code"] == "seal.uncertain"]
        assert all(f["severity"] == "warning" for f in warn)
        mark = _marks(r, "opinion.submitting_org", "seal")[0]
        assert mark["present"] or ("seal.uncertain", "opinion.submitting_org") in codes

    def test_photo_turned_and_bent(self, pages: dict[str, dict[str, Any]]) -> None:
        """A sheet photographed on a desk, turned by 3° and not flat (the rules at its foot slope by
        40 px across the page, those at its head not at all): it is levelled rule by rule before
        the grid is read, and every value comes out as on the flat scan."""
        r = pages["photographed"]
        fields = _fields(r)
        assert {k: _norm(fields[k]["value"]) for k in WANT} == {k: _norm(v) for k, v in WANT.items()}
        assert _marks(r, "opinion.submitting_org", "seal")[0]["present"]
        assert _codes(r) == set()

    def test_a_dull_seal_is_not_read_as_text(self, pages: dict[str, dict[str, Any]]) -> None:
        """A seal whose red is dull stays a seal: its arc text is not read into the opinion it is
        stamped on, and the seal is still found there."""
        r = pages["dull_seal"]
        assert _norm(_fields(r)["opinion.submitting_org"]["value"]) == "同意推荐。"
        assert _marks(r, "opinion.submitting_org", "seal")[0]["present"]
        assert _codes(r) == set()

    def test_degraded_scan(self, pages: dict[str, dict[str, Any]]) -> None:
        """Blur, noise and a low-quality JPEG: the values are still read, the seal still found."""
        r = pages["degraded"]
        fields = _fields(r)
        right = [k for k, v in WANT.items() if _norm(fields[k]["value"]) == _norm(v)]
        # dates and counts are the values checks act on: those must be exact
        for key in ("member_count", "star_rating", "secretary.birth", "secretary.joined_party", "secretary.since"):
            assert key in right, (key, fields[key]["value"])
        assert len(right) >= len(WANT) - 1, sorted(set(WANT) - set(right))
        assert _marks(r, "opinion.submitting_org", "seal")[0]["present"]


# ----------------------------------------------------------------- samples

def _expected(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples is not beside the project")
class TestSamples:
    def test_photo(self) -> None:
        """A phone photo of a 申报表: every field and finding as in its ground truth."""
        exp = _expected("yueyang_app_photo.expected.json")
        r = extract_file(SAMPLES / exp["file"], get_campaign(exp["campaign"])).to_json()
        assert r["file"]["method"] == "ocr"
        for doc in exp["documents"]:
            got = _fields(r, doc["kind"])
            for key, want in doc["fields"].items():
                assert _norm(got[key]["value"]) == _norm(want), key
        assert _codes(r) == {(f["code"], f["field"]) for f in exp["findings"] if f["code"] not in NEUTRAL}

    def test_scanned_pdf_first_page(self) -> None:
        """Page 1 of a scanned PDF (the 推荐表), through the per-page steps the Celery chord runs."""
        from workers.extract.ocr_reader import assemble, ocr_page, prepare_pages
        exp = _expected("jinhua_form_scan.expected.json")
        campaign = get_campaign(exp["campaign"])
        ctx = ReadContext(name=exp["file"], format="pdf")
        first = prepare_pages(SAMPLES / exp["file"], ctx)[0]
        result, image = ocr_page(first.load(), first.page, ctx.settings)
        assert image.shape[0] == result["height"] and image.shape[1] == result["width"]
        json.dumps(result)                      # what crosses the chord must be JSON
        documents, findings = analyse(assemble([result], ctx), campaign)
        form = next(d for d in documents if d.kind == "recommendation_form")
        want = next(d for d in exp["documents"] if d["kind"] == "recommendation_form")
        for key, value in want["fields"].items():
            assert _norm(form.fields[key].value) == _norm(value), key
        form_fields = set(want["fields"])
        want_codes = {(f["code"], f["field"]) for f in exp["findings"]
                      if f["code"] not in NEUTRAL and f["field"] in form_fields}
        assert {(f.code, f.field) for f in findings if f.code not in NEUTRAL} == want_codes


# --------------------------------------------------------------- bad input

def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width×height, with one tiny IDAT: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def _pdf_of_pages(n: int) -> bytes:
    """A valid PDF of n blank pages sharing one tiny content stream."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [" + " ".join(f"{4 + i} 0 R" for i in range(n)) + f"] /Count {n} >>",
            "<< /Length 8 >>\nstream\n0 0 m S\n\nendstream"]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * n
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class TestBadInput:
    def test_one_pixel_image(self, tmp_path: Path) -> None:
        """A 1×1 image gives a clear finding, not a crash."""
        p = tmp_path / "dot.png"
        Image.new("RGB", (1, 1), (255, 255, 255)).save(p)
        r = _extract(p)
        assert {c for c, _ in _codes(r)} & {"form.unrecognised", "file.unreadable"}
        assert r["documents"] == []

    def test_decompression_bomb(self, tmp_path: Path) -> None:
        """A PNG whose header says 30000×30000 is refused from the header, before decoding."""
        p = tmp_path / "bomb.png"
        p.write_bytes(_png_header_only(30000, 30000))
        t0 = time.perf_counter()
        r = _extract(p)
        assert time.perf_counter() - t0 < 5
        assert _codes(r) == {("file.unreadable", None)}
        assert "像素" in r["findings"][0]["message"]

    def test_too_many_pages(self, tmp_path: Path) -> None:
        """A 500-page PDF is refused by its page count, with the limit in the message, fast."""
        p = tmp_path / "many.pdf"
        p.write_bytes(_pdf_of_pages(500))
        settings = Settings()
        assert 500 > settings.max_pages
        t0 = time.perf_counter()
        r = extract_file(p, JINHUA, ctx=ReadContext(name=p.name, format="pdf", settings=settings)).to_json()
        assert time.perf_counter() - t0 < 15
        assert _codes(r) == {("file.unreadable", None)}
        assert f"{settings.max_pages} 页" in r["findings"][0]["message"]

    def test_docx_named_pdf(self, tmp_path: Path) -> None:
        """A Word file named .pdf is sniffed by its bytes and read as Word."""
        p = jinhua_form(tmp_path / "推荐表.pdf")
        r = _extract(p)
        assert r["file"]["method"] == "docx"
        assert _fields(r)["org_name"]["value"] == JINHUA_VALUES["org_name"]


@needs_font
@pytest.mark.parametrize(("written", "want"), [("同意推荐。", "同意推荐。"), ("同意推荐", "同意推荐")])
def test_a_full_stop_under_a_seal_is_kept(written: str, want: str) -> None:
    """GIVEN a line the detector ended where a seal begins THEN it is read one glyph further and a
    closing mark there is kept; the seal's own text (its ring, its characters) is never added."""
    import numpy
    from PIL import Image, ImageDraw

    from tests.image_factory import _font
    from workers.extract.ocr_engine import OcrLine
    from workers.extract.ocr_seal_text import closing_mark_under_seal

    img = Image.new("RGB", (520, 160), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.text((40, 60), written, fill=(20, 20, 20), font=_font(30))
    d.ellipse((150, 0, 330, 160), outline=(210, 30, 30), width=6)           # a seal's ring
    d.text((240, 24), "委员会", fill=(210, 30, 30), font=_font(20))          # and its text
    clean = numpy.repeat(numpy.asarray(img)[..., :1], 3, axis=2)               # the red channel
    line = OcrLine("同意推荐", (40.0, 69.0, 160.0, 99.0), 0.99)                # stops before the 。
    [got] = closing_mark_under_seal(clean, [line], [(150.0, 0.0, 330.0, 160.0)])
    assert got.text == want
