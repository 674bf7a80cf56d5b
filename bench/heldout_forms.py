"""The held-out forms of bench/bench_heldout.py: one form per seed, its shape and its content
drawn from that seed, with the values, 字数 and findings a reader must give for it, computed here
from what was written, never by the reader.

HELD-OUT SEEDS: 9000–9999 belong to the held-out bench.  Tests, fixtures and the shapes bench must
never use them (nor tune on the forms they make).
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.campaigns import get_campaign  # noqa: E402
from tests import form_shapes as fs  # noqa: E402

HELD_OUT = range(9000, 10000)

# ---------------------------------------------------------------- content pools

_SURNAMES = list("王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕"
                 "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔向汤") \
    + ["欧阳", "司马", "诸葛"]
_GIVEN = "建国伟华明丽芳军平红秀英敏静燕霞勇杰涛强磊洋艳娟桂兰志刚海波晓东玉梅俊峰文慧亚萍卫新春雪松云飞鹏辉琳"
_CITIES = ["金华", "岳阳", "衡阳", "湘潭", "常德", "嘉兴", "绍兴", "台州", "丽水", "益阳", "郴州", "义乌"]
_BUREAUS = ["财政局", "司法局", "教育局", "卫生健康委员会", "住房和城乡建设局", "自然资源和规划局", "市场监督管理局",
            "统计局", "审计局", "人力资源和社会保障局", "交通运输局", "水利局", "商务局", "档案馆", "供销合作社",
            "生态环境局", "农业农村局", "文化广电旅游局", "机关事务管理局", "科学技术局"]
_ORDINALS = "第一 第二 第三 第四 第五".split() + [""]
_AREAS = ["0730", "0579", "0731", "0571", "0574", "0734", "0736", "0575"]
_PHRASES = ["我们坚持党建引领，围绕中心、服务大局", "扎实开展“三会一课”和主题党日活动", "党员干部的服务意识明显增强",
            "群众满意度不断提高", "建立健全党建工作责任制", "推行“首问负责制”和“服务承诺制”",
            "开展党员志愿服务进社区活动", "组织党员到革命传统教育基地重温入党誓词", "落实全面从严治党主体责任",
            "把党建工作与业务工作同部署、同考核", "创新“互联网+党建”工作模式", "深入开展廉政风险防控",
            "支部书记带头讲党课", "结对帮扶困难群众", "打造机关党建服务品牌"]
_NUMBERED = ["{y}年共发展党员{n}名", "全年开展志愿服务{n}次", "帮扶困难家庭{n}户", "组织集中学习{n}次",
             "党员参与率达到{p}%"]
_OPINIONS = ["同意推荐。", "情况属实，同意推荐。", "经研究，同意推荐该支部参评。", "该支部党建工作扎实，同意推荐。"]


def _cn_digits(n: int) -> str:
    return "".join("〇一二三四五六七八九"[int(c)] for c in str(n))


def _cn_small(n: int) -> str:
    """1–99 in Chinese numerals (十一, 二十, 四十八)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _cn_digits(tens) + "十"
    return head + ("" if ones == 0 else _cn_digits(ones))


def person(rnd: random.Random) -> str:
    return rnd.choice(_SURNAMES) + "".join(rnd.choice(_GIVEN) for _ in range(rnd.choice([1, 2, 2])))


def month_text(rnd: random.Random, y: int, m: int, two_digit: bool) -> str:
    forms = [f"{y}年{m}月", f"{y}.{m:02d}", f"{y}.{m}", f"{_cn_digits(y)}年{_cn_small(m)}月", f"{y}-{m:02d}",
             f"{y}/{m}"]
    if two_digit:   # 71年1月: only for the 1900s, as the contract reads a two-digit year
        forms.append(f"{y % 100:02d}年{m}月")
    return rnd.choice(forms)


def date_text(rnd: random.Random, y: int, m: int, d: int) -> str:
    return rnd.choice([f"{y}年{m}月{d}日", f"{y}.{m}.{d}", f"{y}.{m:02d}.{d:02d}", f"{y}-{m:02d}-{d:02d}",
                       f"{y}/{m}/{d}", f"{_cn_digits(y)}年{_cn_small(m)}月{_cn_small(d)}日"])


def phone(rnd: random.Random, mobile: bool) -> tuple[str, str]:
    """A phone as written, and as the contract normalises it."""
    if mobile:
        d = "1" + rnd.choice("3578") + "".join(rnd.choice("0123456789") for _ in range(9))
        return rnd.choice([d, f"{d[:3]} {d[3:7]} {d[7:]}", f"{d[:3]}-{d[3:7]}-{d[7:]}"]), d
    area = rnd.choice(_AREAS)
    local = rnd.choice("2345678") + "".join(rnd.choice("0123456789") for _ in range(rnd.choice([6, 7])))
    full = "".join(chr(ord(c) + 0xFEE0) for c in area)
    written = rnd.choice([f"{area}-{local}", f"({area}){local}", f"（{full}）{''.join(chr(ord(c) + 0xFEE0) for c in local)}",
                          f"{area}—{local}", f"{area} {local}"])
    return written, f"{area}-{local}"


def count_text(rnd: random.Random, n: int) -> str:
    return rnd.choice([f"{n}人", f"{n}名", f"{n}", _cn_small(n)])


def _count(text: str) -> int:
    """字数 of the generator's own alphabet (Han, full-width punctuation, “”, ASCII digits and %):
    one per wide character, one per run of ASCII — the contract's rule, restated here so that
    the expected count does not come from the code being measured."""
    return sum(1 for ch in text if ord(ch) > 0x7F and not ch.isspace()) + len(re.findall(r"[\x21-\x7e]+", text))


def narrative(rnd: random.Random, chars: int) -> str:
    """Prose of exactly `chars` 字 in a few paragraphs, with numbers and quotes in it."""
    text, total = "", 0
    while True:
        if rnd.random() < 0.25:
            piece = rnd.choice(_NUMBERED).format(y=rnd.randint(2012, 2016), n=rnd.randint(2, 60), p=rnd.randint(80, 100))
        else:
            piece = rnd.choice(_PHRASES)
        piece += rnd.choice("，，。")
        if total + _count(piece) > chars - 1:
            break
        text, total = text + piece, total + _count(piece)
    text += "".join(rnd.choice("党建工作服务群众创新发展") for _ in range(chars - total - 1)) + "。"
    # paragraphs break after a few of the full stops (a break is no 字)
    stops = [m.end() for m in re.finditer("。", text[:-1])]
    for at in sorted(rnd.sample(stops, min(len(stops), rnd.choice([1, 2, 3]))), reverse=True):
        text = text[:at] + "\n" + text[at:]
    assert _count(text) == chars, (_count(text), chars)
    return text


# ---------------------------------------------------------------- one held-out case


@dataclass
class Case:
    seed: int
    form: fs.Form
    shape: fs.Shape
    values: dict[str, dict[str, object]]
    counts: dict[str, int]
    findings: set[tuple[str, str]] = field(default_factory=set)   # true for the docx writer


def _jinhua(rnd: random.Random, case: Case) -> None:
    bureau, city = rnd.choice(_BUREAUS), "金华"
    filing = rnd.choice(["中共金华市直属机关工作委员会", f"中共金华市{bureau}委员会", f"金华市{bureau}机关党委"])
    org = f"中共{city}市{bureau}机关{rnd.choice(_ORDINALS)}支部委员会"
    category = rnd.choice(["机关", "事业", "国有企业和国有金融机构", "学校", "两新组织"])
    stars = rnd.choice([4, 4, 5, 5, 3])
    star = rnd.choice([f"{'一二三四五'[stars - 1]}星级", f"{'一二三四五'[stars - 1]}星", f"{stars}星", "★" * stars])
    site = rnd.choice(next(f for f in get_campaign("jinhua-2015").document("recommendation_form").fields
                           if f.key == "site_type").choices)
    members = rnd.randint(8, 99)
    name, gender = person(rnd), rnd.choice("男女")
    by, bm = rnd.randint(1960, 1985), rnd.randint(1, 12)
    jy, jm = by + rnd.randint(18, 28), rnd.randint(1, 12)
    sy, sm = min(2015, jy + rnd.randint(2, 15)), rnd.randint(1, 9)
    out_of_order = rnd.random() < 0.1
    if out_of_order:            # 担任书记时间 written before 入党时间: the unit must correct it
        sy, sm = jy - rnd.randint(0, 1), jm
    honors = rnd.choice([f"{rnd.randint(2010, 2014)}年度市级文明单位", f"{rnd.randint(2010, 2014)}年度市直机关先进基层党组织",
                         f"{rnd.randint(2010, 2014)}年被评为市级“五好”党支部"])
    deeds_n = rnd.randint(720, 1280)
    deeds = narrative(rnd, deeds_n)
    opinion = rnd.choice(_OPINIONS)
    od = rnd.randint(1, 14)
    dated, stamped = rnd.random() > 0.1, rnd.random() > 0.1
    case.form = fs.Form(
        campaign="jinhua-2015", title="市县机关党建示范点推荐表",
        head=[[fs.Pair("填报单位", filing)]],
        rows=[[fs.Pair("党组织名称", org), fs.Pair("所在单位类别", category)],
              [fs.Pair("评定星级", star), fs.Pair("示范点类型", site), fs.Pair("党员人数", count_text(rnd, members))]],
        group=("党组织书记情况", [[fs.Pair("姓名", name), fs.Pair("性别", gender),
                                   fs.Pair("出生年月", month_text(rnd, by, bm, True))],
                                  [fs.Pair("民族", rnd.choice(["汉族", "汉族", "回族", "满族", "畲族"])),
                                   fs.Pair("学历", rnd.choice(["大学", "研究生", "大专", "本科"])),
                                   fs.Pair("行政职务", rnd.choice(["副局长", "局长", "副主任", "调研员", "办公室主任"]))],
                                  [fs.Pair("入党时间", month_text(rnd, jy, jm, jy < 2000)),
                                   fs.Pair("担任书记时间", month_text(rnd, sy, sm, sy < 2000))]]),
        longs=[fs.Long("曾受表彰情况", honors), fs.Long("主要创建事迹", deeds)],
        opinions=[fs.Opinion("呈报单位党组织意见", opinion, date_text(rnd, 2015, rnd.choice([10, 11]), od) if dated else None,
                             seal=stamped),
                  fs.Opinion("市直机关工委意见", "", None, seal=False)],
        note="1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织五类；3、主要创建事迹1000字左右。")
    g = case.form.group[1]
    case.values = {"recommendation_form": {
        "filing_unit": filing, "org_name": org, "unit_category": category, "star_rating": stars, "site_type": site,
        "member_count": members, "secretary.name": name, "secretary.gender": gender, "secretary.birth": f"{by}-{bm:02d}",
        "secretary.ethnicity": g[1][0].value, "secretary.education": g[1][1].value, "secretary.position": g[1][2].value,
        "secretary.joined_party": f"{jy}-{jm:02d}", "secretary.since": f"{sy}-{sm:02d}", "honors": honors,
        "deeds": deeds, "opinion.submitting_org": opinion}}
    case.counts = {"deeds": deeds_n}
    for true, finding in ((stars < 4, ("eligibility.star_rating", "star_rating")),
                          (out_of_order, ("field.invalid", "secretary.since")),
                          (not 800 <= deeds_n <= 1200, ("length.out_of_range", "deeds")),
                          (not dated, ("date.missing", "opinion.submitting_org")),
                          (not stamped, ("seal.missing", "opinion.submitting_org"))):
        if true:
            case.findings.add(finding)


def _yueyang(rnd: random.Random, case: Case) -> None:
    city, bureau = rnd.choice(_CITIES), rnd.choice(_BUREAUS)
    unit = f"{city}市{bureau}"
    day = rnd.randint(1, 28)
    members = rnd.randint(8, 99)
    lead, lead_phone = person(rnd), phone(rnd, True)
    contact, contact_phone = person(rnd), phone(rnd, rnd.random() < 0.4)
    title = rnd.choice(["办公室主任", "办公室副主任", "组织委员", "党务干事", "综合科科长"])
    material_n = rnd.randint(1300, 1650)
    material = narrative(rnd, material_n)
    opinion = rnd.choice(_OPINIONS)
    dated, stamped = rnd.random() > 0.1, rnd.random() > 0.1
    items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
    scores = [max(0.0, it.max - rnd.choice([0, 0, 0, 0.5, 1])) for it in items]
    over = rnd.randrange(len(items)) if rnd.random() < 0.15 else None
    if over is not None:        # a self-score above its item's maximum
        scores[over] = items[over].max + 1
    structure = f"{rnd.randint(1, 3)}个党支部，下设{rnd.randint(2, 8)}个党小组"
    leadership = rnd.choice([f"书记1名、委员{rnd.randint(2, 6)}名", f"书记1名、副书记1名、委员{rnd.randint(2, 5)}名"])
    org_type = rnd.choice(["机关党支部", "机关党总支", "机关党委"])
    rating = rnd.choice(["优秀", "好", "良好"])
    case.form = fs.Form(
        campaign="yueyang-2017", title="创建基层党建示范单位申报表",
        head=[[fs.Pair("申报单位", f"{unit}（盖公章）"), fs.Pair("申报日期", date_text(rnd, 2017, 4, day)), fs.Pair("编号", "")]],
        rows=[[fs.Pair("单位名称", f"中共{unit}机关{rnd.choice(_ORDINALS)}支部委员会"), fs.Pair("党组织类型", org_type)],
              [fs.Pair("党组织班子配备情况", leadership), fs.Pair("党组织设置（支部、党小组数）", structure)],
              [fs.Pair("上年度党建考核等次", rating), fs.Pair("党员人数", count_text(rnd, members))],
              [fs.Pair("分管党建工作负责人及电话", f"{lead} {lead_phone[0]}"),
               fs.Compound("联络人姓名及职务、电话", [("姓名", contact), ("职务", title), ("电话", contact_phone[0])])]],
        group=None,
        longs=[fs.Long("申报创建材料（1500字以内）", material)],
        opinions=[fs.Opinion("单位党组（党委）推荐理由及意见", opinion,
                             date_text(rnd, 2017, 4, rnd.randint(1, day)) if dated else None, "签  章", seal=stamped),
                  fs.Opinion("系统机关党委意见", "", None, "签  字", seal=False),
                  fs.Opinion("市直机关工委意见", "", None, "签  章", seal=False)],
        scores=scores)
    case.values = {"application_form": {
        "applicant_unit": unit, "application_date": f"2017-04-{day:02d}", "unit_name": case.form.rows[0][0].value,
        "org_type": org_type, "leadership": leadership, "org_structure": structure, "last_year_rating": rating,
        "member_count": members, "lead.name": lead, "lead.phone": lead_phone[1], "contact.name": contact,
        "contact.title": title, "contact.phone": contact_phone[1], "material": material, "opinion.party_group": opinion},
        "score_sheet": {**{it.key: s for it, s in zip(items, scores)}, "rubric.total": sum(scores)}}
    case.counts = {"material": material_n}
    for true, finding in ((material_n > 1500, ("length.over_limit", "material")),
                          (not dated, ("date.missing", "opinion.party_group")),
                          (not stamped, ("seal.missing", "opinion.party_group")),
                          (over is not None, ("rubric.over_max", items[over].key if over is not None else ""))):
        if true:
            case.findings.add(finding)


def make_case(seed: int) -> Case:
    """The form of held-out `seed`: its shape, its content, and what a reader must give for it."""
    rnd = random.Random(seed * 7919 + 17)     # the content's own stream, apart from the shape's
    case = Case(seed, None, fs.random_shapes(1, seed=seed)[0], {}, {})  # type: ignore[arg-type]
    (_jinhua if seed % 2 == 0 else _yueyang)(rnd, case)
    return case


def expected_for(case: Case, writer: str) -> tuple[dict[str, dict[str, object]], set[tuple[str, str]]]:
    """Values and findings for the file `writer` made: the HTML writer stamps no seal and writes
    no score sheet (every 盖章 is then rightly missing, and the sheet's findings are not there)."""
    if writer == "docx":
        return case.values, set(case.findings)
    values = {k: v for k, v in case.values.items() if k != "score_sheet"}
    found = {f for f in case.findings if f[0] not in ("rubric.over_max", "seal.missing")}
    return values, found | fs.expected_findings(case.form, "html")
