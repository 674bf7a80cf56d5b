"""The campaign file's shape, as pydantic v2 models: the whole file, stages included.

`CampaignFile.model_validate(data)` is the one validation a file goes through
before `dossier.campaigns` builds the objects callers use.  Sections a model
does not name are kept (`extra="allow"`), so another section is added by adding
a model field here — nothing else; a section named here (recommenders,
applicants, public lists) refuses a misspelt key.
Names of stage kinds, decisions and requirements live here because `dossier/`
is the bottom layer: the stage engine in dossier/stages imports them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, List, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KINDS = ("public_notice", "review", "opinion", "joint_review", "decision", "reinspection")
DECISIONS = ("pass", "return", "reject", "withdraw")
REQUIREMENTS = ("opinion", "seal", "date", "scores", "inspection", "notice_start", "reasons")
FIELD_TYPES = ("text", "longtext", "enum", "star_rating", "count", "month", "date", "phone", "opinion")


class _Strict(BaseModel):
    """A section whose keys are all known: a misspelt key is an error, not silently ignored."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    # a value the notice leaves open is marked so where it is written (dossier/campaign_source.py)
    assumed: bool = False
    reason: str = ""


class _Open(BaseModel):
    """A section other parts of the project extend: unknown keys are kept as they are."""
    model_config = ConfigDict(extra="allow", frozen=True)


class LengthModel(_Strict):
    kind: Literal["about", "at_most"] = "at_most"
    max: int = Field(gt=0)
    min: int | None = None
    target: int | None = None


class FieldModel(_Strict):
    key: str
    label: str
    required: bool = False
    type: Literal[FIELD_TYPES] = "text"  # type: ignore[valid-type]
    aliases: list[str] = []
    layout: Literal["cell", "inline"] = "cell"
    below: bool = False
    choices: list[str] = []
    strict: bool = True
    eligible_min: int | None = None
    after: str | None = None
    length: LengthModel | None = None
    seal: bool = False
    date: bool = False
    signature: bool = False
    continued_in: str | None = None
    appendix_in_file: bool = False
    group: str | None = None
    part: Literal["name", "title", "phone"] | None = None
    parts: list[FieldModel] = []

    @model_validator(mode="after")
    def _enum_has_choices(self) -> FieldModel:
        if self.type == "enum" and not self.choices:
            raise ValueError(f"字段 {self.key} 是选项，须列出 choices / enum field {self.key} needs choices")
        return self


class RubricItemModel(_Strict):
    max: float = Field(gt=0)
    text: str


class RubricGroupModel(_Strict):
    title: str
    max: float = Field(gt=0)
    items: list[RubricItemModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_add_up(self) -> RubricGroupModel:
        got = sum(i.max for i in self.items)
        if abs(got - self.max) > 1e-6:
            raise ValueError(f"“{self.title}”各项分值合计 {got:g}，不等于 {self.max:g} / "
                             f"group items add up to {got:g}, not {self.max:g}")
        return self


class RubricModel(_Strict):
    total: float | None = None
    columns: dict[str, str] = {}
    total_label: str = "合计"
    groups: list[RubricGroupModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _groups_add_up(self) -> RubricModel:
        got = sum(g.max for g in self.groups)
        if self.total is not None and abs(got - self.total) > 1e-6:
            raise ValueError(f"评分细则各组合计 {got:g}，不等于总分 {self.total:g} / "
                             f"rubric maxima add up to {got:g}, not {self.total:g}")
        return self


class DocumentModel(_Open):
    kind: str
    title: str | None = None
    required: bool = True
    markers: list[str] = []
    fields: list[FieldModel] = []
    review_fields: list[FieldModel] = []
    ignore_labels: list[str] = []
    appendix_of: str | None = None
    rubric: RubricModel | None = None


class StageModel(_Open):
    """One stage of the review flow; the engine (dossier/stages/engine.py) reads these keys."""
    id: str = Field(min_length=1)
    name: str | None = None
    kind: Literal[KINDS]  # type: ignore[valid-type]
    actor: Literal["reviewer", "recommender"] = "reviewer"
    department: str | None = None
    departments: list[str] = []
    applies_to: dict[str, Any] = {}
    requires: list[Literal[REQUIREMENTS]] = []  # type: ignore[valid-type]
    decisions: list[Literal[DECISIONS]] = ["pass", "return", "reject"]  # type: ignore[valid-type]
    working_days: int | None = Field(default=None, ge=1)
    due_days: int | None = Field(default=None, ge=0)
    quota: bool = False
    award_count: int | None = Field(default=None, ge=1)
    proportion: float | None = Field(default=None, gt=0, le=1)
    outcome_title: str | None = None
    after_months: int | None = Field(default=None, ge=0)
    every_months: int | None = Field(default=None, ge=1)
    field: str | None = None

    @model_validator(mode="after")
    def _kind_needs(self) -> StageModel:
        if self.kind == "joint_review" and not self.departments:
            raise ValueError(f"联审环节 {self.id} 须列出 departments / joint review {self.id} needs departments")
        if self.kind == "public_notice" and not self.working_days:
            raise ValueError(f"公示环节 {self.id} 须写 working_days / public notice {self.id} needs working_days")
        return self


class QuotaModel(_Open):
    per: str = "recommender"
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)


class ContactModel(_Open):
    """Whom units call about the campaign (the notice's 联系人)."""
    name: str
    phone: str = ""
    email: str = ""
    office: str = ""


class StandardModel(_Open):
    """One standard the notice sets (Jinhua's 六有, Yueyang's 创建的标准), with its detail."""
    title: str
    detail: str = ""


class FindingRuleModel(_Strict):
    overridable: bool = True
    notice: str = ""


class SiteLevelModel(_Open):
    level: str
    match: list[str] = []


class RecommenderModel(_Strict):
    """One body that may recommend (Jinhua's 推荐单位): its level, and for a county one its county,
    whose local departments do the joint review."""
    name: str = Field(min_length=1)
    kind: str = ""
    level: Literal["city", "county"] = "city"
    county: str | None = None

    @model_validator(mode="after")
    def _county_named(self) -> RecommenderModel:
        if self.level == "county" and not self.county:
            raise ValueError(f"县级推荐单位 {self.name} 须写 county / county recommender {self.name} needs county")
        return self


class OpenKindModel(_Strict):
    """A kind of recommender the notice names without listing its members: a name matching
    `pattern` (or an account the admin registered) belongs to it."""
    kind: str = Field(min_length=1)
    level: Literal["city", "county"] = "city"
    pattern: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        import re
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"pattern 不是有效的正则表达式：{e} / pattern is not a valid regex: {e}") from e
        return v


class RecommendersModel(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    notice: str = ""
    # `list` in the file; another name here, for `list` would shadow the builtin in this class
    members: List[RecommenderModel] = Field(default=[], alias="list")
    open_kinds: List[OpenKindModel] = []


class ApplicantKindModel(_Strict):
    kind: str = Field(min_length=1)


class ApplicantsModel(_Strict):
    """Who may apply (Yueyang's 创建的对象), in the notice's words."""
    notice: str = ""
    kinds: list[ApplicantKindModel] = []

    @field_validator("kinds", mode="before")
    @classmethod
    def _plain_kinds(cls, v: Any) -> Any:
        return [{"kind": k} if isinstance(k, str) else k for k in (v or [])]


class PublicListModel(_Strict):
    """One list the notice publishes (workers/packets/public_lists.py): who is on it — those who
    reached a stage, passed one, hold a title, or the yearly re-inspections — and its columns."""
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str | None = None
    reached: str | None = None
    passed: str | None = None
    title_held: str | list[str] | None = None
    per: Literal["recommender"] | None = None
    reinspection: bool = False
    columns: list[str | dict[str, Any]] = []


class CampaignFile(_Open):
    """The whole campaign file."""
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str | None = None
    notice: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    deadline: dt.date | None = None
    timezone: str = "Asia/Shanghai"
    submitted_by: str | None = None
    quota: QuotaModel | None = None
    award_count: int | None = Field(default=None, ge=1)
    contact: ContactModel | None = None
    standards: list[StandardModel] = []
    documents: list[DocumentModel] = Field(min_length=1)
    findings: dict[str, FindingRuleModel] = {}
    site_levels: list[SiteLevelModel] = []
    site_level_default: str | None = None
    stages: list[StageModel] = []
    packets: dict[str, Any] | None = None
    recommenders: RecommendersModel | None = None
    applicants: ApplicantsModel | None = None
    public_lists: list[PublicListModel] = []

    @field_validator("standards", mode="before")
    @classmethod
    def _plain_standards(cls, v: Any) -> Any:
        # a standard may be a bare title (“有一个好主题”) when the notice gives no detail
        return [{"title": s} if isinstance(s, str) else s for s in (v or [])]

    @model_validator(mode="after")
    def _lists_name_stages(self) -> CampaignFile:
        ids = {s.id for s in self.stages}
        for pl in self.public_lists:
            for key in ("reached", "passed"):
                stage = getattr(pl, key)
                if stage and stage not in ids:
                    raise ValueError(f"名单 {pl.id} 的 {key} 指向不存在的环节 {stage} / "
                                     f"list {pl.id}: {key} names no stage {stage!r}")
        return self

    @model_validator(mode="after")
    def _ids_unique(self) -> CampaignFile:
        for what, ids in (("stage", [s.id for s in self.stages]), ("document", [d.kind for d in self.documents])):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"重复的 {what}：{', '.join(dup)} / duplicate {what} ids: {', '.join(dup)}")
        return self
