"""The one stage engine: a campaign's `stages:` list is the whole review flow.

No stage is code.  Each stage in campaigns/*.yaml says what kind it is, who
acts (reviewer or recommender), which departments review it in parallel,
what a decision needs (opinion, 盖章, date, 考评分, 实地检查, a notice date),
which decisions are allowed, and its limits (quota, award count, proportion,
months to wait).  This module turns those dicts into `Stage`s and answers the
questions the service layer asks: which stage comes next for this
submission, which tasks does a stage open, is a decision complete, what did
the departments decide together.  It touches no database.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

# the kinds, decisions and requirements a stage may name: one list, which the file's validation uses too
from dossier.campaign_schema import DECISIONS, KINDS, REQUIREMENTS
from dossier.campaigns import Campaign, Rubric

from . import applicants

# what the form's own opinion box asks for (`review_fields` with seal / signature / date): a stage
# that fills that box requires them too (岳阳: 系统机关党委意见 签字 年月日, 市直机关工委意见 签章 年月日)
FIELD_REQUIREMENTS = ("seal", "signature", "date")

# what people read for each decision and requirement
DECISION_LABELS = {"pass": "通过，转下一环节", "return": "退回申报单位修改", "reject": "不予通过",
                   "withdraw": "撤销称号"}
KIND_LABELS = {"public_notice": "公示", "review": "审核", "opinion": "推荐意见", "joint_review": "联审",
               "decision": "集体研究决定", "reinspection": "复查"}


class StageError(ValueError):
    """A campaign's stages are malformed (an unknown kind, a joint review without departments)."""


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    kind: str
    actor: str = "reviewer"
    department: str | None = None
    departments: tuple[str, ...] = ()
    applies_to: Mapping[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ("pass", "return", "reject")
    working_days: int | None = None      # public_notice
    due_days: int | None = None          # calendar days a task may stay open before it is overdue
    quota: bool = False                  # passing counts against the recommender's quota
    award_count: int | None = None       # 表彰 about N: a target counted against, never a cap
    proportion: float | None = None      # at most this share of the candidates pass
    outcome_title: str | None = None     # the title a pass confers
    after_months: int | None = None      # the stage opens this long after the previous one
    every_months: int | None = None      # reinspection: repeats
    field: str | None = None             # the form field the opinion fills (opinion.recommender)
    due: dt.date | None = None           # the notice's date for this stage (11月15日前, 年底前)
    titles: tuple[str, ...] = ()         # reinspection: the titles re-inspected every year

    @property
    def joint(self) -> bool:
        return self.kind == "joint_review"

    def task_departments(self) -> list[str | None]:
        """One task per department for a joint review (in parallel), else one task."""
        return list(self.departments) if self.joint else [None]


def parse_stage(d: Mapping[str, Any]) -> Stage:
    try:
        kind = str(d["kind"])
        stage = Stage(
            id=str(d["id"]), name=str(d.get("name", d["id"])), kind=kind,
            actor=str(d.get("actor", "reviewer")), department=d.get("department"),
            departments=tuple(d.get("departments", ())), applies_to=dict(d.get("applies_to") or {}),
            requires=tuple(d.get("requires", ())),
            decisions=tuple(d.get("decisions", ("pass", "return", "reject"))),
            working_days=d.get("working_days"), due_days=d.get("due_days"),
            quota=bool(d.get("quota", False)), award_count=d.get("award_count"),
            proportion=d.get("proportion"), outcome_title=d.get("outcome_title"),
            after_months=d.get("after_months"), every_months=d.get("every_months"),
            field=d.get("field"), due=_date(d.get("due")), titles=tuple(d.get("titles", ())))
    except KeyError as e:
        raise StageError(f"stage {dict(d)!r} lacks {e}") from e
    if kind not in KINDS:
        raise StageError(f"stage {stage.id}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if stage.joint and not stage.departments:
        raise StageError(f"stage {stage.id}: a joint review needs departments")
    if kind == "public_notice" and not stage.working_days:
        raise StageError(f"stage {stage.id}: a public notice needs working_days")
    bad = [x for x in stage.requires if x not in REQUIREMENTS] + \
          [x for x in stage.decisions if x not in DECISIONS]
    if bad:
        raise StageError(f"stage {stage.id}: unknown {bad}")
    return stage


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _with_form_requirements(campaign: Campaign, s: Stage) -> Stage:
    """The stage's requirements and those of the form's opinion box it fills."""
    if not s.field:
        return s
    spec = next((f for d in campaign.documents for f in d.review_fields if f.key == s.field), None)
    if spec is None:
        return s
    extra = [r for r in FIELD_REQUIREMENTS if getattr(spec, r, False) and r not in s.requires]
    if extra and "opinion" not in s.requires:
        extra.insert(0, "opinion")
    return replace(s, requires=s.requires + tuple(extra)) if extra else s


def stages(campaign: Campaign) -> list[Stage]:
    return [_with_form_requirements(campaign, parse_stage(d)) for d in campaign.stages]


def stage(campaign: Campaign, stage_id: str) -> Stage:
    for s in stages(campaign):
        if s.id == stage_id:
            return s
    raise StageError(f"{campaign.id} has no stage {stage_id!r}")


def applies(s: Stage, context: Mapping[str, Any]) -> bool:
    """Whether a stage applies to a submission (e.g. 联审 only for county points)."""
    return all(context.get(k) == v for k, v in s.applies_to.items())


def first_stage(campaign: Campaign, context: Mapping[str, Any]) -> Stage | None:
    return next((s for s in stages(campaign) if applies(s, context)), None)


def next_stage(campaign: Campaign, stage_id: str, context: Mapping[str, Any]) -> Stage | None:
    """The stage after `stage_id` that applies, or None when the flow is complete."""
    all_stages = stages(campaign)
    ids = [s.id for s in all_stages]
    if stage_id not in ids:
        raise StageError(f"{campaign.id} has no stage {stage_id!r}")
    return next((s for s in all_stages[ids.index(stage_id) + 1:] if applies(s, context)), None)


def needs_recommender(campaign: Campaign) -> bool:
    """Whether a stage of the flow is acted on by the recommender (公示, 推荐意见).

    Such a stage's task belongs to the recommender named on the submission; a
    submission that names none would open a task nobody may claim.
    """
    return any(s.actor == "recommender" for s in stages(campaign))


def site_level(campaign: Campaign, recommender: str | None) -> str | None:
    """The level a campaign's `site_levels` rule gives a recommender's name (county / city).

    jinhua-2015: 各县（市、区）示范点 need the joint review; a recommender whose
    name contains one of the rule's words is at that level.
    """
    listed = applicants.find_recommender(campaign, recommender)
    if listed is not None:      # the file's list of recommenders says it first
        return listed.level
    rules = campaign.raw.get("site_levels") or []
    for rule in rules:
        if recommender and any(w in recommender for w in rule.get("match", ())):
            return str(rule["level"])
    default = campaign.raw.get("site_level_default")
    return str(default) if default else None


# ------------------------------------------------------------------ decisions

def rubric_scores(rubric: Rubric | None, scores: Mapping[str, Any]) -> tuple[dict[str, float], float, list[str]]:
    """Parsed 考评分 by item, their total, and problems in Chinese (over max, not a half step)."""
    if rubric is None:
        return {}, 0.0, []
    out: dict[str, float] = {}
    problems: list[str] = []
    for item in rubric.items:
        raw = scores.get(item.key)
        if raw is None or str(raw).strip() == "":
            problems.append(f"评分细则第 {item.group} 部分第 {item.number} 项未填写考评分。")
            continue
        try:
            value = float(str(raw).strip())
        except ValueError:
            problems.append(f"评分细则第 {item.group} 部分第 {item.number} 项的考评分“{raw}”不是数字。")
            continue
        if value < 0:
            problems.append(f"评分细则第 {item.group} 部分第 {item.number} 项的考评分不能为负数（填写 0–{item.max:g} 分）。")
        elif value > item.max:
            problems.append(f"评分细则第 {item.group} 部分第 {item.number} 项的考评分 {value:g} "
                            f"超出范围（0–{item.max:g} 分）。")
        elif value * 2 != int(value * 2):
            problems.append(f"评分细则第 {item.group} 部分第 {item.number} 项的考评分只能是整数或半分。")
        out[item.key] = value
    return out, sum(out.values()), problems


def check_decision(s: Stage, decision: str, payload: Mapping[str, Any],
                   rubric: Rubric | None = None) -> list[str]:
    """What is missing before `decision` can be recorded at stage `s` (Chinese, empty when complete)."""
    if decision not in s.decisions:
        allowed = "、".join(DECISION_LABELS[d] for d in s.decisions)
        return [f"本环节（{s.name}）只能作出以下决定：{allowed}。"]
    problems: list[str] = []
    if decision in ("return", "reject", "withdraw") and not str(payload.get("reasons") or "").strip():
        problems.append("请写明退回、不予通过或撤销的理由，申报单位将看到这些理由。")
    if decision != "pass":
        return problems
    if "opinion" in s.requires and not str(payload.get("opinion") or "").strip():
        problems.append(f"请填写{s.name}意见。")
    if "seal" in s.requires and not payload.get("sealed"):
        problems.append("意见须加盖公章，请确认已盖章。")
    if "signature" in s.requires and not str(payload.get("signed_by") or "").strip():
        problems.append("意见须签字，请填写签字人姓名。")
    if "date" in s.requires:
        problems += _opinion_date_problems(payload.get("opinion_date"))
    if "inspection" in s.requires:
        insp = payload.get("inspection") or {}
        if not insp.get("date"):
            problems.append("请填写实地检查日期。")
        if not str(insp.get("notes") or "").strip():
            problems.append("请填写实地检查情况记录。")
    if "scores" in s.requires:
        problems += rubric_scores(rubric, payload.get("scores") or {})[2]
    return problems


def _opinion_date_problems(value: Any) -> list[str]:
    if not value:
        return ["请填写意见落款日期（年 月 日）。"]
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return [f"意见落款日期“{value}”不是有效日期，请按 年-月-日 填写（如 2017-12-20）。"]
    return []


def joint_outcome(departments: Iterable[str | None], decided: Mapping[str | None, str]) -> str | None:
    """The joint review's result once every department has decided: any reject rejects,
    any return returns, all pass passes; None while a department is still to decide."""
    deps = list(departments)
    if any(decided.get(d) == "reject" for d in deps):
        return "reject"
    if not all(d in decided for d in deps):
        return None
    if any(decided[d] == "return" for d in deps):
        return "return"
    return "pass"


def pass_limit(s: Stage, candidates: int) -> int | None:
    """How many may pass this stage: the proportion of the candidates.  The award count is not a
    limit — 集中表彰100例左右 is a target, shown and warned past, never refused (`award_standing`)."""
    if s.proportion is None:
        return None
    return math.ceil(float(s.proportion) * candidates)
