"""Scans and photos of forms laid out in boxes, and of running text on a curled page: the pieces the
detector returns are put back as a person reads the page (workers/extract/ocr_boxes.py,
ocr_text.rows).

GIVEN the pieces of lines an OCR detector returns (pixels of a 150 dpi page) WHEN they are grouped
into rows and boxes THEN each box reads whole, on its row, and running text keeps its lines.
"""
from __future__ import annotations

from workers.extract.model import Box, Line
from workers.extract.ocr_boxes import join_ocr_boxes
from workers.extract.ocr_text import row_text, rows


def _piece(text: str, x0: float, y0: float, x1: float, y1: float) -> Line:
    return Line(text, box=Box(x0, y0, x1, y1), confidence=0.95)


# a form in label | value | label | value boxes, as the detector read its print: a value wrapped
# twice under itself, a label wrapped once, a piece run over from a label's box into its value's
BOXES = [
    _piece("单位名称：", 185, 449, 292, 477), _piece("中共台州市交通运", 408, 452, 586, 475),
    _piece("党组织类型：", 623, 451, 751, 475), _piece("机关党支部", 844, 450, 958, 477),
    _piece("输局机关第四支部", 406, 480, 586, 506), _piece("委员会", 405, 508, 479, 537),
    _piece("党组织班子配备情", 186, 565, 363, 587), _piece("书记1名、副书记", 408, 565, 586, 587),
    _piece("党组织设置（支部、3个党支部，下设6", 623, 563, 1039, 588),
    _piece("况：", 182, 590, 229, 620), _piece("1名、委员3名", 408, 593, 561, 617),
    _piece("党小组数)：", 624, 593, 752, 617), _piece("个党小组", 844, 591, 936, 619),
    _piece("上年度党建考核等", 186, 642, 365, 668), _piece("优秀", 403, 640, 457, 670),
    _piece("党员人数：", 621, 640, 731, 670), _piece("57名", 842, 639, 905, 671),
    _piece("次：", 182, 669, 230, 699),
]


def _read(pieces: list[Line]) -> list[str]:
    return [" ".join(row_text(r).split()) for r in rows(join_ocr_boxes(rows(pieces)))]


class TestBoxes:
    def test_each_box_reads_whole_on_its_row(self) -> None:
        assert _read(BOXES) == [
            "单位名称： 中共台州市交通运输局机关第四支部委员会 党组织类型： 机关党支部",
            "党组织班子配备情况： 书记1名、副书记1名、委员3名 党组织设置（支部、党小组数)： 3个党支部，下设6个党小组",
            "上年度党建考核等次： 优秀 党员人数： 57名",
        ]

    def test_running_text_is_left_as_read(self) -> None:
        """Lines of a narrative, one piece each, are no boxes: nothing is joined or cut."""
        text = [_piece("组织集中学习32次，推行“首问负责制”和“服务承诺制”。推行“首问", 186, 853 + 28 * k, 1060, 876 + 28 * k)
                for k in range(5)]
        assert join_ocr_boxes(rows(text)) == text

    def test_a_label_line_without_boxes_is_left_as_read(self) -> None:
        """A few label lines whose values start at different places: no columns, nothing cut."""
        lines = [_piece("申报单位：台州市交通运输局(盖公章)", 187, 250, 568, 273), _piece("申报日期：2017.04.07", 623, 248, 866, 275),
                 _piece("编号：", 895, 248, 965, 276), _piece("联系人：李四", 186, 300, 330, 325),
                 _piece("联系电话：0579-82469328", 500, 300, 760, 325)]
        assert sorted(ln.text for ln in join_ocr_boxes(rows(lines))) == sorted(ln.text for ln in lines)


class TestRows:
    def test_lines_bent_on_a_curled_page_stay_apart(self) -> None:
        """GIVEN three full lines whose boxes are tall (each line bent across the page), each box
        reaching past the next line's middle THEN three rows, not one."""
        bent = [_piece("建工作与业务工作同部署、同考核，党员参与率达到89%，推行", 231, 1447, 1040, 1521),
                _piece("“首问负责制”和“服务承诺制”，开展“三会一课”和主题党日活", 229, 1476, 1040, 1551),
                _piece("动。2012年共发展党员53名，帮扶困难家庭25户。", 228, 1505, 900, 1580)]
        assert [row_text(r) for r in rows(bent)] == [p.text for p in bent]

    def test_pieces_side_by_side_are_one_row(self) -> None:
        label, value = _piece("党员人数：", 621, 640, 731, 670), _piece("57名", 842, 639, 905, 671)
        assert [len(r) for r in rows([label, value])] == [2]


class TestLevelByText:
    """A form without rules photographed a few degrees askew is turned level by its text's slope."""

    def _lines(self, tilt: float) -> list:
        import math

        from workers.extract.ocr_engine import OcrLine
        slope = math.tan(math.radians(tilt))
        out = []
        for k in range(6):          # six long lines down the page, each sloping by `tilt`
            x0, x1, y = 200.0, 1000.0, 300.0 + 60 * k + slope * (200.0 - 700.0)
            out.append(OcrLine("我们坚持党建引领围绕中心", (x0, y, x1, y + 30 + slope * 800), 0.95, tilt))
        # a label and its value on one row of the paper: the value, further right, stands lower
        out.append(OcrLine("党员人数：", (200.0, 800.0, 310.0, 830.0), 0.95, tilt))
        out.append(OcrLine("57名", (800.0, 800.0 + slope * 600, 860.0, 830.0 + slope * 600), 0.95, tilt))
        return out

    def test_a_turned_page_is_levelled(self) -> None:
        import numpy as np

        from workers.extract.ocr_level import level_by_text
        image = np.full((1600, 1200, 3), 255, dtype=np.uint8)
        _img, lines, _seals = level_by_text(image, self._lines(2.5), [])
        label, value = lines[-2], lines[-1]
        mid = lambda ln: (ln.box[1] + ln.box[3]) / 2     # noqa: E731
        assert abs(mid(label) - mid(value)) < 3
        assert all(abs(ln.tilt) < 0.01 for ln in lines)

    def test_a_level_page_is_left_as_it_came(self) -> None:
        import numpy as np

        from workers.extract.ocr_level import level_by_text
        image = np.full((1600, 1200, 3), 255, dtype=np.uint8)
        lines = self._lines(0.2)
        out_img, out_lines, _ = level_by_text(image, lines, [])
        assert out_img is image and out_lines == lines


class TestWhereParagraphsPart:
    """Running text and the label line under it on a scan (an opinion right under a narrative)."""

    def _rows(self, texts: list[tuple[str, float]]) -> list[list[Line]]:
        return [[_piece(t, 186, 1300 + 30 * i, right, 1323 + 30 * i)] for i, (t, right) in enumerate(texts)]

    def test_a_label_line_after_a_sentence_starts_a_paragraph(self) -> None:
        """GIVEN a narrative's last row ending a sentence a character short of the margin, and under it
        呈报单位党组织意见：… THEN the opinion is a paragraph of its own, not the narrative's end
        (it was counted into 字数 and the opinion read blank)."""
        from workers.extract.ocr_text import paragraphs
        got = paragraphs(self._rows([("把党建工作与业务工作同部署、同考核。支部书记带头讲党课，帮扶困难家庭60", 1073),
                                     ("户，深入开展廉政风险防控，新众务发务。", 1035),
                                     ("呈报单位党组织意见：该支部党建工作扎实，同意推荐。", 728)]))
        assert [len(p) for p in got] == [2, 1]

    def test_a_long_label_after_a_sentence_starts_a_paragraph(self) -> None:
        """GIVEN a label fifteen characters long (单位党组（党委）推荐理由及意见：…) under the narrative's
        last sentence THEN it parts there too: the opinion is not counted into the narrative's 字数."""
        from workers.extract.ocr_text import paragraphs
        got = paragraphs(self._rows([("把党建工作与业务工作同部署、同考核。支部书记带头讲党课，帮扶困难家庭60", 1073),
                                     ("户，深入开展廉政风险防控，新众务发务。", 1035),
                                     ("单位党组（党委）推荐理由及意见：经研究，同意推荐该支部参评。", 1000)]))
        assert [len(p) for p in got] == [2, 1]

    def test_a_label_line_under_a_row_of_spaced_fields_starts_a_paragraph(self) -> None:
        """GIVEN a row of fields spaced out whose last value (a phone) runs to the margin, and under
        it 申报创建材料（1500字以内）： THEN the label starts its own paragraph: the phone's last
        digits are not taken for words in front of the label (187 5043 read for 187 5043 0719)."""
        from workers.extract.ocr_text import paragraphs
        got = paragraphs(self._rows([("联络人姓名及职务、电话：    韩磊霞组织委员187 5043 0719", 1073),
                                     ("申报创建材料（1500字以内）：", 500)]))
        assert [len(p) for p in got] == [1, 1]

    def test_a_label_lines_wrapped_value_carries_on(self) -> None:
        """A row of spaced fields whose last value wraps onto the next row stays one paragraph."""
        from workers.extract.ocr_text import paragraphs
        got = paragraphs(self._rows([("党组织名称：    中共金华市某某局机关第一支部委员会    所在单位类别：    机关事业", 1073),
                                     ("单位", 300)]))
        assert [len(p) for p in got] == [2]

    def test_a_colon_in_a_wrapped_sentence_carries_on(self) -> None:
        """A row that wraps mid-sentence carries on, whatever the next one starts with."""
        from workers.extract.ocr_text import paragraphs
        got = paragraphs(self._rows([("支部坚持以党建带队建，总结出三条经验，概括起来就是", 1073),
                                     ("三个坚持：坚持学习、坚持服务、坚持创新。", 900)]))
        assert [len(p) for p in got] == [2]


def test_two_lines_the_detector_took_for_one_are_read_apart() -> None:
    """GIVEN a wrapped value's last character right above the next row's value, so close that the
    detector returns one box over both (read as one character, 星) WHEN the page's lines are
    looked over THEN the box is read as its two lines: 会 and 五星."""
    import numpy as np
    import pytest
    from PIL import Image, ImageDraw

    from tests.image_factory import cjk_font_path
    from workers.extract.ocr_engine import OcrLine, models_present
    from workers.extract.ocr_stacked import split_stacked_lines
    if cjk_font_path() is None or not models_present():
        pytest.skip("no CJK font or no OCR models")
    from PIL import ImageFont
    font = ImageFont.truetype(cjk_font_path(), 22)
    img = Image.new("RGB", (900, 300), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 40), "党组织名称：", font=font, fill="black")
    d.text((200, 40), "机关第三支部委员", font=font, fill="black")
    d.text((200, 66), "会", font=font, fill="black")
    d.text((200, 90), "五星", font=font, fill="black")
    d.text((40, 90), "评定星级：", font=font, fill="black")
    lines = [OcrLine("党组织名称：", (40, 40, 172, 66), 0.99), OcrLine("机关第三支部委员", (200, 40, 378, 66), 0.99),
             OcrLine("星", (196, 62, 250, 118), 0.85), OcrLine("评定星级：", (40, 90, 150, 116), 0.99)]
    got = split_stacked_lines(np.asarray(img), lines)
    assert [ln.text for ln in got] == ["党组织名称：", "机关第三支部委员", "会", "五星", "评定星级："]
    assert got[2].box[3] <= got[3].box[1] + 2


def test_a_tall_line_of_one_large_line_is_left_alone() -> None:
    """A title in a large font is one line, however tall its box: it is not cut."""
    import numpy as np
    import pytest
    from PIL import Image, ImageDraw, ImageFont

    from tests.image_factory import cjk_font_path
    from workers.extract.ocr_engine import OcrLine, models_present
    from workers.extract.ocr_stacked import split_stacked_lines
    if cjk_font_path() is None or not models_present():
        pytest.skip("no CJK font or no OCR models")
    img = Image.new("RGB", (900, 300), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 40), "市县机关党建示范点推荐表", font=ImageFont.truetype(cjk_font_path(), 52), fill="black")
    title = OcrLine("市县机关党建示范点推荐表", (40, 40, 670, 100), 0.99)
    lines = [title] + [OcrLine("党员人数：", (40, 150 + 30 * k, 150, 174 + 30 * k), 0.99) for k in range(3)]
    assert split_stacked_lines(np.asarray(img), lines)[0] is title


# one column of labels and one of values, without rulings: three labels wrapped under themselves,
# the detector's pieces as it read a print of it (one label run into its value with no gutter
# seen, one label's box reaching past its value's start)
LABEL_COLUMN = [
    _piece("单位名称：", 185, 450, 293, 477), _piece("中共丽水市住房和城乡建设局机关第四支部委员会", 442, 454, 922, 474),
    _piece("党组织类型：", 186, 497, 314, 521), _piece("机关党总支", 438, 496, 554, 523),
    _piece("党组织设置（支部、党", 186, 570, 406, 594), _piece("3个党支部，下设5个党小组", 440, 570, 723, 594),
    _piece("小组数）：", 182, 598, 285, 625),
    _piece("党员人数：", 184, 713, 294, 740), _piece("71名", 438, 712, 501, 741),
    _piece("分管党建工作负责人及", 186, 761, 410, 783), _piece("曾丽磊185-2849-9883", 436, 760, 682, 784),
    _piece("电话：", 184, 787, 251, 816),
    _piece("联络人姓名及职务、电", 186, 840, 445, 863), _piece("宋芳英办公室主任0736—7461067", 434, 840, 806, 863),
    _piece("话：", 182, 866, 230, 895),
    _piece("申报创建材料（1500字以内）：", 186, 917, 506, 943),
    _piece("创新“互联网+党建”工作模式。组织集中学习58次，扎实开展“三会一课”和主题党日", 187, 969, 1069, 992),
    _piece("活动：坚持学习、坚持服务。", 186, 999, 480, 1021),
]


class TestALabelColumn:
    def test_labels_wrapped_under_themselves_read_whole(self) -> None:
        """GIVEN labels and values in two columns, three labels wrapped under themselves THEN each
        label reads whole before its value, however the detector parted the row."""
        got = _read(LABEL_COLUMN)
        assert "党组织设置（支部、党小组数）： 3个党支部，下设5个党小组" in got
        assert "分管党建工作负责人及电话： 曾丽磊185-2849-9883" in got
        assert "联络人姓名及职务、电话： 宋芳英办公室主任0736—7461067" in got

    def test_a_label_run_into_its_value_is_cut_at_the_column(self) -> None:
        """The detector read 联络人…电 and its value as one piece (no gutter seen): the label's
        wrapped end under it (话：) shows where the label box is."""
        merged = [p for p in LABEL_COLUMN if not p.text.startswith(("联络人", "宋芳英"))] + [
            _piece("联络人姓名及职务、电宋芳英办公室主任0736—7461067", 186, 840, 806, 863)]
        assert "联络人姓名及职务、电话： 宋芳英办公室主任0736—7461067" in _read(merged)

    def test_running_text_under_the_form_is_left_as_read(self) -> None:
        """The narrative's lines (one ending short, whose next starts with 活动：) are not cut."""
        got = _read(LABEL_COLUMN)
        assert "创新“互联网+党建”工作模式。组织集中学习58次，扎实开展“三会一课”和主题党日" in got
        assert "活动：坚持学习、坚持服务。" in got


def test_values_placed_a_little_above_their_labels_read_with_them() -> None:
    """GIVEN a form whose values were placed by position, each a little above its label's line (as
    the detector reads a print of it), and a dot of the label's colon taken into a value's box
    THEN each label reads with its value on one row, the dot gone."""
    placed = [_piece("中共金华市水利局机关第五支部委员会", 315, 299, 690, 324), _piece("学校", 925, 295, 980, 328),
              _piece("党组织名称：", 185, 315, 316, 342), _piece("所在单位类别：", 777, 317, 926, 341),
              _piece("四星级", 292, 344, 364, 372), _piece("8名", 946, 344, 996, 374),
              _piece("评定星级：", 185, 359, 293, 387), _piece("党员人数：", 839, 359, 949, 389),
              _piece(".大学", 437, 434, 498, 466), _piece("学历：", 382, 451, 445, 480)]
    got = [" ".join(row_text(r).split()) for r in rows(placed)]
    assert got == ["党组织名称：中共金华市水利局机关第五支部委员会 所在单位类别：学校",
                   "评定星级：四星级 党员人数：8名", "学历：大学"]


def test_rows_of_a_borderless_table_in_a_cell_stay_rows() -> None:
    """GIVEN the secretary's borderless table in a cell as photographed (rows 1.5 box heights apart,
    short labels far from the next column) WHEN it is read box by box THEN each row stays a row
    (the third was taken for the second's wrapped lines: 民族入党时间 汉族1987.09 …), and the
    wrapped label under 担任书记时 joins it."""
    cell = [_piece("姓名", 340, 776, 395, 811), _piece("廖慧", 479, 776, 534, 810), _piece("性别", 615, 775, 671, 810),
            _piece("男", 754, 777, 785, 810), _piece("出生年月", 892, 774, 987, 809), _piece("1967-08", 1030, 779, 1127, 807),
            _piece("民族", 341, 827, 396, 861), _piece("汉族", 479, 827, 535, 861), _piece("学历", 615, 826, 671, 861),
            _piece("大专", 753, 826, 809, 861), _piece("行政职务", 892, 827, 988, 859), _piece("调研员", 1028, 827, 1104, 861),
            _piece("入党时间", 343, 879, 439, 910), _piece("1987.09", 482, 881, 579, 908),
            _piece("担任书记时", 617, 879, 736, 909), _piece("1992/4", 750, 879, 841, 909), _piece("间", 616, 907, 649, 940)]
    got = [" ".join(row_text(r).split()) for r in rows(join_ocr_boxes(rows(cell), least=2))]
    assert got == ["姓名 廖慧 性别 男 出生年月 1967-08", "民族 汉族 学历 大专 行政职务 调研员",
                   "入党时间 1987.09 担任书记时间 1992/4"]


# a form of two rows of boxes above a grid of two (the secretary's), scanned at 150 dpi, its
# boxes as the detector read them and the page's gutters parted them (`ocr_gutters`): the values'
# wrapped lines under them, a label's (别：) beside one
FEW_ROWS = [
    _piece("党组织名称：", 185, 299, 310, 324), _piece("中共金华市", 345, 299, 452, 324),
    _piece("所在单位类", 479, 299, 591, 324), _piece("学校", 629, 298, 683, 326),
    _piece("评定星级：", 768, 299, 882, 325), _piece("3星", 918, 298, 971, 326),
    _piece("生态环境局", 340, 327, 451, 357), _piece("别：", 480, 327, 522, 357),
    _piece("机关支部委", 340, 358, 455, 385), _piece("员会", 339, 386, 391, 416),
    _piece("示范点类型：", 185, 445, 310, 471), _piece("树人育人招", 344, 445, 451, 471),
    _piece("党员人数：", 480, 445, 585, 471), _piece("57人", 629, 445, 692, 472),
    _piece("姓名：", 766, 444, 834, 472), _piece("廖新", 920, 442, 977, 474), _piece("才引智", 339, 473, 411, 502),
    _piece("性别：", 183, 523, 250, 552), _piece("女", 338, 522, 371, 553), _piece("出生年月：", 478, 524, 585, 551),
    _piece("1976.05", 632, 524, 731, 551), _piece("民族：", 766, 523, 834, 551), _piece("满族", 921, 521, 977, 554),
    _piece("学历：", 183, 569, 251, 597), _piece("大学", 337, 567, 393, 600), _piece("行政职务：", 476, 570, 584, 596),
    _piece("副局长", 632, 569, 705, 597), _piece("入党时间：", 768, 570, 877, 596),
    _piece("2002年2", 923, 570, 1031, 596), _piece("月", 921, 597, 952, 628),
]


class TestAFewRowsOfBoxes:
    def test_boxes_parted_at_their_gutters_read_box_by_box(self) -> None:
        """GIVEN rows of boxes parted at their gutters THEN each value reads whole with its wrapped
        lines under it (中共金华市 / 生态环境局 / 机关支部委 / 员会), and so does a wrapped label
        (所在单位类 / 别：), however few the rows."""
        got = _read(FEW_ROWS)
        assert got[0] == "党组织名称： 中共金华市生态环境局机关支部委员会 所在单位类别： 学校 评定星级： 3星"
        assert got[1] == "示范点类型： 树人育人招才引智 党员人数： 57人 姓名： 廖新"
