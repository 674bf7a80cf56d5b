"""Value boxes placed over a label line's blanks, where the reader's measure of the line is off.

A .doc saved by one program and opened by another, or a line set in another font than the one the
reader measures with, puts a positioned box's offset a few characters off: 党员 | 14名 | 人数：, or
董红 ahead of its 姓名：.  A person sees each value on the blank after its label; so does the reader.
"""
from __future__ import annotations

from lxml import etree

from workers.extract.word.docx_boxes import TextBox, merge_small

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _box(text: str, x: float) -> TextBox:
    content = etree.fromstring(f'<w:txbxContent xmlns:w="{W}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>')
    return TextBox(content=content, at=0, x=x)


LINE = "示范点类型：" + "\u3000" * 8 + "党员人数：" + "\u3000" * 6 + "姓名：" + "\u3000" * 4


def _squeezed(text: str) -> str:
    return " ".join(text.replace("\u3000", " ").split())


def test_boxes_as_many_as_blanks_go_one_to_each() -> None:
    """GIVEN three boxes over a line of three blanks, measured short (the second inside 党员人数, the
    third before 姓名) THEN each value is read after its own label."""
    em = 10.5
    boxes = [_box("服务民生", 5.5 * em), _box("14名", 15.5 * em), _box("董红", 24.0 * em)]
    assert _squeezed(merge_small(LINE, boxes, em=em)) == "示范点类型： 服务民生 党员人数： 14名 姓名： 董红"


def test_a_box_measured_into_a_word_stands_on_the_blank_beside_it() -> None:
    """GIVEN one box, its offset landing between 党员 and 人数 THEN it is read after 人数：."""
    em = 10.5
    line = "党员人数：" + "\u3000" * 6 + "上年度考核等次：" + "\u3000" * 4 + "好"
    out = merge_small(line, [_box("14名", 2.0 * em)], em=em)
    assert _squeezed(out).startswith("党员人数： 14名")


def test_boxes_where_they_stand_are_left_there() -> None:
    """Boxes measured onto their blanks stay where they were measured."""
    em = 10.5
    boxes = [_box("服务民生", 6.5 * em), _box("14名", 19.5 * em), _box("董红", 29.5 * em)]
    assert _squeezed(merge_small(LINE, boxes, em=em)) == "示范点类型： 服务民生 党员人数： 14名 姓名： 董红"
