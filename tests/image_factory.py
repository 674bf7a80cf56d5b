"""Render a filled 推荐表 (jinhua-2015, 附件1) as a page image, the way a scan shows it.

The OCR tests build their own pages with these so that the reader is exercised
on images nobody tuned it to: values are passed in, and each test states what it
plants (no seal, an empty 年 月 日 line, a turned page, a greyscale copy, noise).
Pages are ~1200 px wide: OCR costs seconds a page, and smaller pages keep the
slow tests within their budget.
"""
from __future__ import annotations

import io
import math
import subprocess
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1200, 1700
RED = (215, 25, 35)
# a colour scan shows white paper with a faint warm cast; a greyscale scan shows none
PAPER = (248, 244, 233)

# the values a test expects back, normalised as the contract says
JINHUA_PAGE_VALUES: dict[str, Any] = {
    "filing_unit": "中共金华市直属机关工作委员会",
    "org_name": "中共金华市财政局机关支部委员会",
    "unit_category": "机关",
    "star_rating": "四星级",
    "site_type": "服务民生关爱群众",
    "member_count": "45",
    "secretary.name": "王建国",
    "secretary.gender": "男",
    "secretary.birth": "1972年5月",
    "secretary.ethnicity": "汉族",
    "secretary.education": "大学本科",
    "secretary.position": "副局长",
    "secretary.joined_party": "1995年7月",
    "secretary.since": "2012年3月",
    "honors": "2014年度市级文明单位",
    "deeds": "详见附页",
    "opinion.submitting_org": "同意推荐。",
    "opinion.date": "2015年11月5日",
}

# column edges of the 7-column table and row heights (px)
COLS = [60, 120, 250, 450, 600, 800, 930, 1140]
ROWS = [70, 70, 70, 70, 70, 110, 230, 280, 130]
TABLE_TOP = 260


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font with Chinese glyphs, found through fontconfig (None when there is none)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    # a regular sans face reads most like a printed form; any CJK face will do
    for pref in ("SansCJK-Regular", "Regular", ""):
        for f in files:
            if pref in f:
                return f
    return None


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font (fc-list :lang=zh)")
    return ImageFont.truetype(path, size)


def _rows_y() -> list[int]:
    ys = [TABLE_TOP]
    for h in ROWS:
        ys.append(ys[-1] + h)
    return ys


def _cell_box(r0: int, c0: int, r1: int, c1: int) -> tuple[int, int, int, int]:
    ys = _rows_y()
    return COLS[c0], ys[r0], COLS[c1 + 1], ys[r1 + 1]


def _centred(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, size: int = 24,
             vertical: bool = False) -> None:
    font = _font(size)
    lines = list(text) if vertical else text.split("\n")
    x0, y0, x1, y1 = box
    lh = size + 6
    top = (y0 + y1) / 2 - lh * len(lines) / 2
    for k, line in enumerate(lines):
        w = d.textlength(line, font=font)
        d.text(((x0 + x1) / 2 - w / 2, top + k * lh), line, fill=(20, 20, 20), font=font)


def seal_box() -> tuple[int, int, int, int]:
    """Where the seal is stamped: over the 呈报单位党组织意见 cell."""
    x0, y0, x1, y1 = _cell_box(7, 1, 7, 2)
    cx, cy, r = (x0 + x1) // 2 + 20, (y0 + y1) // 2 + 10, 95
    return cx - r, cy - r, cx + r, cy + r


def _draw_seal(img: Image.Image) -> None:
    """A red round seal: ring, star, the unit's name in an arc (drawn on its own layer, multiplied)."""
    x0, y0, x1, y1 = seal_box()
    size = x1 - x0
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.ellipse((3, 3, size - 3, size - 3), outline=RED + (230,), width=7)
    c = size / 2
    pts = []
    for k in range(10):
        r = size * (0.17 if k % 2 == 0 else 0.07)
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(pts, fill=RED + (230,))
    font = _font(20)
    name = "中共金华市财政局机关支部委员会"
    span = math.radians(240)
    for k, ch in enumerate(name):
        a = math.radians(150) + span * k / (len(name) - 1)       # from lower left over the top
        gx, gy = c + (size / 2 - 26) * math.cos(a), c + (size / 2 - 26) * math.sin(a)
        g = Image.new("RGBA", (26, 26), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((3, 0), ch, fill=RED + (230,), font=font)
        g = g.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        layer.alpha_composite(g, (int(gx - 13), int(gy - 13)))
    img.paste(layer, (x0, y0), layer)


def jinhua_page(values: dict[str, Any] | None = None, *, seal: bool = True, date: bool = True,
                rule: tuple[int, int] = (2, 0)) -> Image.Image:
    """A filled 推荐表, page 1, as a colour scan shows it (tinted paper, black print).  `rule`: the
    table's rules as (width px, grey level); a hairline (1, 120) is what a Word border of 0.5 pt
    gives on a 150 dpi scan."""
    rule_ink = (rule[1],) * 3
    v = {**JINHUA_PAGE_VALUES, **(values or {})}
    img = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    d = ImageDraw.Draw(img)
    d.text((60, 90), "附件1：", fill=(20, 20, 20), font=_font(24))
    _centred(d, (60, 130, 1140, 180), "市县机关党建示范点推荐表", size=36)
    d.text((60, 215), f"填报单位：{v['filing_unit']}", fill=(20, 20, 20), font=_font(24))
    cells: list[tuple[tuple[int, int, int, int], str, bool]] = [
        ((0, 0, 0, 1), "党组织名称", False), ((0, 2, 0, 4), v["org_name"], False),
        ((0, 5, 0, 5), "所在单位\n类别", False), ((0, 6, 0, 6), v["unit_category"], False),
        ((1, 0, 1, 1), "评定星级", False), ((1, 2, 1, 2), v["star_rating"], False),
        ((1, 3, 1, 3), "示范点\n类型", False), ((1, 4, 1, 4), v["site_type"], False),
        ((1, 5, 1, 5), "党员人数", False), ((1, 6, 1, 6), v["member_count"], False),
        ((2, 0, 4, 0), "书记情况", True),
        ((2, 1, 2, 1), "姓名", False), ((2, 2, 2, 2), v["secretary.name"], False),
        ((2, 3, 2, 3), "性别", False), ((2, 4, 2, 4), v["secretary.gender"], False),
        ((2, 5, 2, 5), "出生年月", False), ((2, 6, 2, 6), v["secretary.birth"], False),
        ((3, 1, 3, 1), "民族", False), ((3, 2, 3, 2), v["secretary.ethnicity"], False),
        ((3, 3, 3, 3), "学历", False), ((3, 4, 3, 4), v["secretary.education"], False),
        ((3, 5, 3, 5), "行政职务", False), ((3, 6, 3, 6), v["secretary.position"], False),
        ((4, 1, 4, 1), "入党时间", False), ((4, 2, 4, 2), v["secretary.joined_party"], False),
        ((4, 3, 4, 3), "担任书记\n时间", False), ((4, 4, 4, 6), v["secretary.since"], False),
        ((5, 0, 5, 0), "曾受\n表彰\n情况", False), ((5, 1, 5, 6), v["honors"], False),
        ((6, 0, 6, 0), "主要创建事迹", True), ((6, 1, 6, 6), v["deeds"], False),
        ((7, 0, 7, 0), "呈报单位党组织意见", True),
        ((7, 3, 7, 3), "市直机关\n党委意见", False), ((7, 4, 7, 4), "（盖章）\n年  月  日", False),
        ((7, 5, 7, 5), "市直机关\n工委意见", False), ((7, 6, 7, 6), "（盖章）\n年  月  日", False),
        ((8, 0, 8, 0), "备\n注", False),
        ((8, 1, 8, 6), "1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织五类；\n"
                       "3、主要创建事迹1000字左右，表格内填不下可另附页。", False),
    ]
    for (r0, c0, r1, c1), text, vertical in cells:
        box = _cell_box(r0, c0, r1, c1)
        d.rectangle(box, outline=rule_ink, width=rule[0])
        size = 20 if r0 == 8 else 22
        _centred(d, box, text, size=size, vertical=vertical)
    # the submitting organisation's opinion: text at the top, 盖章 mark, the date line at the bottom
    ob = _cell_box(7, 1, 7, 2)
    d.rectangle(ob, outline=rule_ink, width=rule[0])
    font = _font(24)
    d.text((ob[0] + 15, ob[1] + 15), v["opinion.submitting_org"], fill=(20, 20, 20), font=font)
    d.text((ob[0] + 170, ob[1] + 150), "（盖章）", fill=(20, 20, 20), font=font)
    d.text((ob[0] + 120, ob[3] - 50), v["opinion.date"] if date else "年     月     日",
           fill=(20, 20, 20), font=font)
    if seal:
        _draw_seal(img)
    return img


def greyscale(img: Image.Image) -> Image.Image:
    """A black-and-white scan of the page (colour gone, still three channels)."""
    return img.convert("L").convert("RGB")


def degraded(img: Image.Image, seed: int = 7) -> Image.Image:
    """A poor scan: slight blur, sensor noise, then a low-quality JPEG round trip."""
    rng = np.random.default_rng(seed)
    blurred = img.filter(ImageFilter.GaussianBlur(0.8))
    arr = np.asarray(blurred).astype(np.int16)
    arr = arr + rng.normal(0, 12, arr.shape).astype(np.int16)
    noisy = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    noisy.save(buf, "JPEG", quality=35)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def photographed(img: Image.Image, angle: float = 3.0, bend: float = 12.0,
                 desk: tuple[int, int, int] = (128, 112, 92)) -> Image.Image:
    """A phone photo of the page lying on a desk: the sheet on a darker ground, turned by `angle`
    degrees, and not flat, so that its rules slope more and more towards the bottom (a row at the
    foot of the page tilts by `bend` px across its width: each rule stays straight, but no single
    warp of the frame makes them all level)."""
    arr = np.asarray(img.convert("RGB"))
    h, w = arr.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    # the source row of each output pixel: a shear that grows down the page
    map_y = ys - bend * (ys / h) * (xs / w - 0.5)
    bent = cv2.remap(arr, xs, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    m = 70
    canvas = Image.new("RGB", (w + 2 * m, h + 2 * m), desk)
    canvas.paste(Image.fromarray(bent), (m, m))
    return canvas.rotate(angle, resample=Image.BICUBIC, fillcolor=desk)


def printed_askew(img: Image.Image, askew: float = 2.0, on_glass: float = 0.0,
                  tint: tuple[int, int, int] = (236, 226, 222)) -> Image.Image:
    """A scan of a sheet whose printing is turned by `askew` degrees on the paper (the printer took
    it in at an angle), the sheet itself lying turned by `on_glass` on a white scanner lid: the
    sheet's edges show, and they are not parallel to the table's rules."""
    arr = np.asarray(img.convert("RGB")).astype(np.int16)
    printed = np.clip(arr - (255 - np.array(tint)), 0, 255).astype(np.uint8)     # ink on tinted paper
    sheet = Image.fromarray(printed).rotate(askew, resample=Image.BICUBIC, fillcolor=tint)
    lid = Image.new("RGB", (sheet.width + 160, sheet.height + 160), (255, 255, 255))
    lid.paste(sheet.rotate(on_glass, resample=Image.BICUBIC, expand=True, fillcolor=(255, 255, 255)), (40, 40))
    return lid


def dull_seal(img: Image.Image, ink: tuple[int, int, int] = (165, 60, 62)) -> Image.Image:
    """The seal's red darkened to a dull brick red and the page saved as an ordinary JPEG (colour
    subsampled), as a cheap scanner gives it: in the red channel alone the seal is mid-grey."""
    arr = np.asarray(img.convert("RGB")).astype(np.int16)
    red = (arr[..., 0] - np.maximum(arr[..., 1], arr[..., 2])) > 60
    arr[red] = ink
    buf = io.BytesIO()
    Image.fromarray(arr.astype(np.uint8)).save(buf, "JPEG", quality=70, subsampling=2)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


# -- degradations of any rendered page (a PDF page rasterised, or a page drawn above) -----------

def one_bit(img: Image.Image, threshold: int = 150, noise: float = 0.0, seed: int = 5) -> Image.Image:
    """A black-and-white (1-bit) fax-style scan: every pixel ink or paper, red seals turned black
    or lost with the grey of the paper (as a bilevel office scanner does).  `noise`: the sensor's
    noise (grey levels) before the threshold, which breaks up a faint hairline into dashes."""
    grey = np.asarray(img.convert("L")).astype(np.float32)
    if noise:
        grey = grey + np.random.default_rng(seed).normal(0, noise, grey.shape)
    bits = np.where(grey > threshold, 255, 0).astype(np.uint8)
    return Image.fromarray(bits).convert("1", dither=Image.Dither.NONE)


def low_res(img: Image.Image, factor: float = 0.5) -> Image.Image:
    """A page scanned at a fraction of its resolution (a 200 dpi page at 100 dpi)."""
    w, h = img.size
    return img.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.BILINEAR)


def two_up(left: Image.Image, right: Image.Image | None, gutter: int = 60) -> Image.Image:
    """Two pages printed side by side on one landscape sheet (or one page and a blank half)."""
    w, h = left.size
    sheet = Image.new("RGB", (2 * w + 3 * gutter, h + 2 * gutter), (255, 255, 255))
    sheet.paste(left.convert("RGB"), (gutter, gutter))
    if right is not None:
        sheet.paste(right.convert("RGB").resize((w, h)), (2 * gutter + w, gutter))
    return sheet


def shadowed(img: Image.Image, depth: float = 0.45, side: str = "right") -> Image.Image:
    """A phone's shadow over one side of the sheet: the light falls off smoothly towards it."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = arr.shape[:2]
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)
    ramp = xs if side == "right" else xs[::-1]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    shade = 1.0 - depth * np.clip((ramp[None, :] - 0.35) / 0.65, 0, 1) * (0.6 + 0.4 * ys)
    return Image.fromarray(np.clip(arr * shade[..., None], 0, 255).astype(np.uint8))


def curled(img: Image.Image, depth: float = 18.0) -> Image.Image:
    """A sheet that does not lie flat: rows bow (a page curled towards its edges), more at the top
    and bottom than in the middle."""
    arr = np.asarray(img.convert("RGB"))
    h, w = arr.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    map_y = ys - depth * np.sin(np.pi * xs / w) * (2 * ys / h - 1.0)
    map_x = xs + 0.4 * depth * ((2 * xs / w - 1.0) ** 3)
    out = cv2.remap(arr, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                    borderValue=(255, 255, 255))
    return Image.fromarray(out)


def rasterise(pdf: "Any", dpi: int = 150, first: int = 1, last: int | None = None) -> list[Image.Image]:
    """Pages of a PDF as RGB images (poppler's pdftoppm), to degrade into scans and photos."""
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["pdftoppm", "-r", str(dpi), "-png", "-f", str(first)]
        if last is not None:
            cmd += ["-l", str(last)]
        subprocess.run(cmd + [str(pdf), str(Path(tmp) / "p")], check=True, capture_output=True, timeout=120)
        pages = sorted(Path(tmp).glob("p*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
        return [Image.open(p).convert("RGB") for p in pages]
