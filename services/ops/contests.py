"""How often units say a finding is a misreading, and how often a reviewer agrees: per finding code,
the live measure of reading quality (a code contested often and confirmed often is a check or a
reader to fix)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.finding_models import ContestOutcome, FindingContest
from storage.models import FindingRow, Submission

# the contract's finding codes in an operator's words
CODE_LABELS = {
    "file.unsupported": "文件格式不支持", "file.unreadable": "文件无法读取", "form.unrecognised": "未识别出表格",
    "field.missing": "字段未填写", "field.invalid": "字段填写不合规", "length.over_limit": "字数超过上限",
    "length.out_of_range": "字数不在范围内", "seal.missing": "未盖章", "seal.uncertain": "无法判断是否盖章",
    "signature.missing": "未签字", "date.missing": "落款日期未填", "eligibility.star_rating": "星级不符合条件",
    "rubric.over_max": "自评分超过分值", "rubric.total_mismatch": "合计与各项之和不符",
    "document.missing": "缺少材料", "deadline.passed": "超过截止日期", "quota.exceeded": "超过推荐名额",
    "ocr.low_confidence": "识别可信度低", "date.unreadable": "落款日期无法辨认（请人工核对）",
    "field.unread": "栏目内容未能读出（请人工核对）", "field.uncertain": "读出的内容存疑（请人工核对）",
    "signature.uncertain": "无法判断是否签字", "length.uncertain": "字数无法核对（内容被截去，请人工核对）",
    "rubric.uncertain": "评分合计无法核对（请人工核对）",
    "processing.failed": "处理失败，已转人工",
}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def contest_stats(session: Session) -> list[dict[str, Any]]:
    """Per code: findings on record, contested, confirmed wrong, upheld, not yet judged, and the
    two rates (contested per finding; upheld per judged contest), most contested first."""
    # a 自查 is never submitted, so nobody contests its findings: they are not counted
    findings = dict(session.execute(select(FindingRow.code, func.count())
                                    .join(Submission, Submission.id == FindingRow.submission_id)
                                    .where(Submission.kind != "self_check")
                                    .group_by(FindingRow.code)).all())
    rows = session.execute(select(FindingContest.code, FindingContest.outcome, func.count())
                           .group_by(FindingContest.code, FindingContest.outcome)).all()
    per: dict[str, dict[str, int]] = {}
    for code, outcome, n in rows:
        c = per.setdefault(code, {"contested": 0, "confirmed": 0, "upheld": 0, "pending": 0})
        c["contested"] += n
        c[outcome if outcome in (ContestOutcome.CONFIRMED.value, ContestOutcome.UPHELD.value) else "pending"] += n
    out = []
    for code, c in per.items():
        # a contested finding whose file was read again is no longer a row: never fewer than contested
        total = max(int(findings.get(code, 0)), c["contested"])
        judged = c["confirmed"] + c["upheld"]
        out.append({"code": code, "label": CODE_LABELS.get(code, code), "findings": total, **c, "contest_rate": _rate(c["contested"], total),
                    "upheld_rate": _rate(c["upheld"], judged)})
    return sorted(out, key=lambda r: (-r["contested"], r["code"]))
