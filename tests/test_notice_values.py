"""Every value the campaign files take from the two notices, against the notices.

The expected values are written here, copied from the notices in ../shared/seeds/ (the rubric's 28
items with their maxima and text, the group sums and the 100 total; dates, quotas, limits, departments,
categories, contact, standards), so the test holds on a clean clone where the seeds are absent.
Where the seeds are present, the same values are also found in the notices' own text — so a wrong
constant here fails too.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.campaigns import Campaign, get_campaign

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
JINHUA_SEED, YUEYANG_SEED = "000_4e8eb852bb910dc0.txt", "003_e097b2b0423d1120.txt"

# 附件1 创建基层党建示范单位评分细则: (group title, group points, [(item max, item text)])
RUBRIC = [
    ("有坚强有力的领导班子和本领过硬的党务工作骨干队伍", 23, [
        (4, "党组织班子健全、分工明确,安排专人抓基层党建,按要求配备专职党务工作者。"),
        (5, "党组织书记、分管党建班子成员、党务工作者每年严格按市直机关工委要求参加党建业务培训。"),
        (4, "全面落实民主议事决策规则和党建责任制,党建部署督查有力,开展1项以上特色基层党建工作。"),
        (4, "班子每年公开承诺并兑现5件以上实事并获得服务对象的一致好评。"),
        (3, "坚持每月组织党员学习,全年邀请上级领导或专家授课1次以上,开展红色教育、“传帮带比”活动,整体无违纪违法行为。"),
        (3, "领导班子有一堂精品PPT党课。")]),
    ("有科学务实的党建工作规划", 11, [
        (3, "要有具体的党建工作规划、年度党建工作方案。"),
        (2, "定期对党员民主评议,强化党员的教育管理。"),
        (4, "加强反腐倡廉和制度建设,打造廉洁型的基层党组织、定期组织党风党纪教育,党课、政治理论学习有计划、有组织、有制度、有笔记、有记录、有考核。"),
        (2, "加强对群团组织工作的领导,支持他们依据各自章程开展丰富多彩的教育活动。")]),
    ("有健全完善的制度机制", 23, [
        (3, "党建工作与业务工作一同部署一同考核。"),
        (7, "要有完善健全的党建工作制度机制:定期例会、“党员集中活动日”、督查通报、考核问责、经费保障、按期开展“三会一课”、召开民主生活会和组织生活会。"),
        (3, "100%按计划按发展党员细则发展党员。"),
        (4, "100%按时、足额收缴党费。"),
        (3, "流动党员组织关系接转率为100%。"),
        (3, "执行党组织议事规则,凡应公开内容都做到阳光操作,公开透明。")]),
    ("有功能实用的服务平台", 13, [
        (5, "按要求建好党员活动阵地,有党员学习活动室、投影仪、宣传展板、工作宣传片等。"),
        (4, "党员活动室挂有党旗、誓词、权利义务,工作资料统一分类、专柜放置。"),
        (2, "有党建文化长廊或基地,更新内容及时。"),
        (2, "设微信群和公众号,全员订阅共产党员微信号。")]),
    ("有形式多样的活动载体", 15, [
        (3, "“七一”期间能按要求精心组织党日活动。"),
        (4, "单位全员参与“一进二访”、“一会四评”活动,全体机关在职党员到社区报到、认领岗位并全年开展2次以上服务。"),
        (4, "开展“巴陵先锋先行”活动。"),
        (4, "结合单位实际,开展党员设岗定责、公开承诺、示范岗评选、联系服务群众等活动,创新推出1项以上特色服务工作抓手。")]),
    ("有群众满意的工作业绩", 15, [
        (4, "在省级以上媒体专题推介1次或市级媒体2次以上。"),
        (4, "服务测评满意率达到95%以上。"),
        (3, "近五年受到省级以上表彰、经验在市以上推广。"),
        (4, "本单位近三年年度综合绩效考评优秀一次以上,其余合格以上。")]),
]
RUBRIC_TOTAL = 100

# (what, the campaign file's value, words of the notice that give it)
JINHUA_DEPARTMENTS = ["政法委", "纪委", "卫生计生局", "信访局"]
JINHUA_CATEGORIES = ["机关", "事业", "国有企业和国有金融机构", "学校", "两新组织"]
JINHUA_SITE_TYPES = ["促进经济转型升级", "助推精品城市建设", "推进社会治理创新", "服务民生关爱群众",
                     "树人育人招才引智", "从严管理廉洁高效"]
JINHUA_SIX = ["有一个好主题", "有一支好队伍", "有一套好制度", "有一块好阵地", "有一项好载体", "有一番好业绩"]
YUEYANG_STANDARDS = ["有坚强有力的领导班子和本领过硬的党务工作骨干队伍", "有科学务实的党建工作发展规划",
                     "有健全完善的制度机制", "有功能实用的服务平台", "有形式多样的活动载体", "有群众满意的工作业绩"]


def same(text: str) -> str:
    """Text as both sides mean it: half- and full-width punctuation alike, no spaces, one 。 at a time."""
    table = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）"})
    return re.sub(r"。+", "。", re.sub(r"\s+", "", text.translate(table)))


def seed(name: str) -> str | None:
    path = SEEDS / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def seed_rubric(text: str) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """附件1's table as the seed holds it: a group line `1、title(23分) |`, then each item's text line
    followed by its points line `4 |`."""
    body = text.split("附件1:")[1].split("合 计 分")[0]
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    out: list[tuple[str, int, list[tuple[int, str]]]] = []
    for i, line in enumerate(lines):
        group = re.match(r"^\d、(.+?)\((\d+)分\)\s*\|$", line)
        if group:
            out.append((group.group(1), int(group.group(2)), []))
            continue
        points = re.match(r"^(\d+)\s*\|$", lines[i + 1]) if i + 1 < len(lines) else None
        if out and points and line.endswith("|") and not re.match(r"^[\d|]+$", line.replace(" ", "")):
            out[-1][2].append((int(points.group(1)), line.rstrip("| ").strip()))
    return out


def stage(c: Campaign, stage_id: str) -> dict:
    return next(s for s in c.stages if s["id"] == stage_id)


class TestRubric:
    def test_every_item_max_and_text(self) -> None:
        """All 28 items in order: the file's maximum and text are the notice's."""
        rubric = get_campaign("yueyang-2017").document("score_sheet").rubric
        assert rubric is not None
        expected = [(g, n, m, t) for g, (_, _, items) in enumerate(RUBRIC, 1)
                    for n, (m, t) in enumerate(items, 1)]
        assert len(expected) == len(rubric.items) == 28
        for (g, n, m, t), item in zip(expected, rubric.items):
            assert (item.key, item.max, same(item.text)) == (f"rubric.{g}.{n}", m, same(t))

    def test_group_sums_and_total(self) -> None:
        """Six groups of 23, 11, 23, 13, 15 and 15 points; 100 in all; each group's items add up to it."""
        rubric = get_campaign("yueyang-2017").document("score_sheet").rubric
        assert rubric is not None
        assert [(same(t), p) for t, p in rubric.groups] == [(same(t), p) for t, p, _ in RUBRIC]
        for g, (_, points, items) in enumerate(RUBRIC, 1):
            assert sum(i.max for i in rubric.items if i.group == g) == points == sum(m for m, _ in items)
        assert rubric.total == RUBRIC_TOTAL == sum(p for _, p, _ in RUBRIC)

    def test_the_constants_are_the_notices(self) -> None:
        """Where the seed is present, its 附件1 table is exactly the constants above."""
        text = seed(YUEYANG_SEED)
        if text is None:
            pytest.skip("../shared/seeds is absent (a clean clone): checked against the constants only")
        got = seed_rubric(text)
        assert [(same(t), p, [(m, same(x)) for m, x in items]) for t, p, items in got] == \
               [(same(t), p, [(m, same(x)) for m, x in items]) for t, p, items in RUBRIC]
        assert "合 计 分 |\n100 |" in text


class TestJinhua:
    c = staticmethod(lambda: get_campaign("jinhua-2015"))

    def test_values_from_the_notice(self) -> None:
        c = self.c()
        assert str(c.deadline) == "2015-11-15" and str(c.model.issued) == "2015-10-10"
        assert c.model.issuer == "中共金华市直属机关工作委员会"
        assert (c.quota_min, c.quota_max) == (1, 2)
        assert stage(c, "recommender_notice")["working_days"] == 5
        assert stage(c, "joint_review_county")["departments"] == JINHUA_DEPARTMENTS
        assert c.award_count == 100 and stage(c, "collective_decision")["award_count"] == 100
        form = c.document("recommendation_form")
        spec = {f.key: f for f in form.leaf_fields()}
        assert list(spec["unit_category"].choices) == JINHUA_CATEGORIES
        assert list(spec["site_type"].choices) == JINHUA_SITE_TYPES and not spec["site_type"].strict
        assert spec["star_rating"].eligible_min == 4
        for length in (spec["deeds"].length, c.document("narrative").fields[0].length):
            assert length is not None and (length.kind, length.target) == ("about", 1000)
        contact = c.model.contact
        assert contact is not None and (contact.name, contact.phone, contact.email) == \
            ("董元善", "82469328", "zxc2469328@163.com")
        assert [s.title for s in c.model.standards] == JINHUA_SIX and all(s.detail for s in c.model.standards)

    def test_values_are_in_the_notice(self) -> None:
        text = seed(JINHUA_SEED)
        if text is None:
            pytest.skip("../shared/seeds is absent (a clean clone): checked against the constants only")
        flat = re.sub(r"\s+", "", text)
        for words in ["11月15日前", "择优推荐1—2例", "公示5个工作日", "100例左右", "四星级以上",
                      "1000字左右", "2015年10月10日", "中共金华市直属机关工作委员会",
                      "董元善", "82469328", "zxc2469328@163.com", *JINHUA_DEPARTMENTS, *JINHUA_SITE_TYPES]:
            assert words in flat, words
        assert "机关、事业、国有企业和国有金融机构、学校、两新组织五类" in flat
        details = flat.split("具体参考内容如下：")[1]
        for s in self.c().model.standards:
            assert f"{s.title}" in details and same(s.detail) in same(details), s.title


class TestYueyang:
    c = staticmethod(lambda: get_campaign("yueyang-2017"))

    def test_values_from_the_notice(self) -> None:
        c = self.c()
        assert str(c.deadline) == "2017-04-25" and str(c.model.issued) == "2017-04-17"
        assert c.model.issuer == "中共岳阳市司法局机关委员会"
        assert c.model.submitted_by == "局机关党支部，局直单位党组织，市律师协会党总支部"
        material = next(f for f in c.document("application_form").leaf_fields() if f.key == "material")
        assert material.length is not None and (material.length.kind, material.length.max) == ("at_most", 1500)
        assert c.finding_rule("length.over_limit").overridable is False
        assert [s.title for s in c.model.standards] == YUEYANG_STANDARDS
        assert stage(c, "acceptance_year_end")["outcome_title"] == "基层党建创建单位"
        assert stage(c, "acceptance_next_year")["outcome_title"] == "基层党建示范单位"
        assert stage(c, "acceptance_next_year")["after_months"] == 12
        assert stage(c, "yearly_reinspection")["every_months"] == 12
        # 按一定比例: the notice gives no number, and the file says so
        assert any(a.path.endswith("acceptance_year_end].proportion") and a.reason for a in c.assumptions)

    def test_values_are_in_the_notice(self) -> None:
        text = seed(YUEYANG_SEED)
        if text is None:
            pytest.skip("../shared/seeds is absent (a clean clone): checked against the constants only")
        flat = re.sub(r"\s+", "", text)
        for words in ["4月25日(星期五)前", "不超过1500字", "2017年4月17日", "中共岳阳市司法局机关委员会",
                      "局机关党支部,局直单位党组织,市律师协会党总支部", "按一定比例", "基层党建创建单位",
                      "一年后", "授予基层党建示范单位称号", "以后每年对创建单位和示范单位进行复查验收"]:
            assert words in flat, words
        standards = flat.split("二、创建的标准")[1].split("三、创建的要求")[0]
        for n, s in enumerate(self.c().model.standards, 1):
            assert f"{n}.{s.title}。" in standards and same(s.detail) in same(standards), s.title
