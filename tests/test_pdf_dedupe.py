"""Characters drawn twice (fake bold, shadows) are read once, as pdfplumber's rule says, in linear time."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pdfplumber.utils import dedupe_chars as plumber_dedupe

from workers.extract.pdf_chars import dedupe_chars


def char(text: str, x: float, y: float, size: float = 12.0, font: str = "SimSun") -> dict:
    return {"text": text, "x0": x, "x1": x + size, "top": y, "doctop": y, "bottom": y + size,
            "upright": True, "fontname": font, "size": size}


@st.composite
def pages(draw) -> list[dict]:
    """A line of text on a grid, some characters drawn again a fraction of a point away."""
    texts = draw(st.lists(st.sampled_from("党建示范点12"), min_size=1, max_size=40))
    out = []
    for i, t in enumerate(texts):
        c = char(t, 50.0 + 13 * (i % 20), 100.0 + 20 * (i // 20))
        out.append(c)
        for _ in range(draw(st.integers(0, 2))):
            dx, dy = draw(st.floats(-0.4, 0.4)), draw(st.floats(-0.4, 0.4))
            out.append(char(t, c["x0"] + dx, c["top"] + dy))
    return out


@given(pages())
def test_same_characters_as_pdfplumber(chars: list[dict]) -> None:
    """The characters kept are pdfplumber's, in the page's order."""
    ours = dedupe_chars(chars)
    theirs = plumber_dedupe(chars)
    assert [(c["text"], round(c["x0"]), round(c["top"])) for c in ours] == \
        [(c["text"], round(c["x0"]), round(c["top"])) for c in theirs]


def test_other_font_or_place_is_not_a_copy() -> None:
    """The same glyph in another font, or two points away, is another character."""
    chars = [char("党", 10, 10), char("党", 10, 10, font="SimHei"), char("党", 12.5, 10), char("党", 10.5, 10.2)]
    assert len(dedupe_chars(chars)) == 3
