"""The status JSON, dressed for people: Chinese labels from the campaign file.

`services.files.service.submission_status` returns keys (`secretary.since`,
`recommendation_form`); the unit reads labels (担任书记时间, 市县机关党建示范点推荐表).
The labels come from the campaign YAML, so a new campaign needs no code here.
Both the API (`label`/`title` added to its JSON) and the web page use this.
"""
from __future__ import annotations

from typing import Any

from dossier import lifecycle
from dossier.campaigns import Campaign
from dossier.stages import engine

# file states in the unit's words
FILE_STATES = {
    "stored": "已上传，等待处理",
    "queued": "排队中",
    "processing": "正在识别",
    "done": "已完成",
    "failed": "处理失败",
}
SEVERITIES = {"error": "需要修改", "warning": "请注意"}
# where a submission stands in its review, in people's words (pages, packets)
REVIEW_STATUS_LABELS = {"in_review": "审核中", "returned": "已退回，待修改", "rejected": "未通过",
                        "completed": "审核完成", "withdrawn": "称号已撤销", None: "未提交审核"}
METHODS = {"docx": "Word 文档", "pdf-text": "PDF 文本", "ocr": "扫描识别（OCR）",
           "converted": "旧版 Word/WPS（已转换）"}


def field_label(campaign: Campaign | None, key: str | None, kind: str | None = None) -> str:
    """The label printed on the form for `key`, with its group (党组织书记情况 · 姓名)."""
    if not key:
        return ""
    if campaign is not None:
        specs = [campaign.document(kind)] if kind and kind in {d.kind for d in campaign.documents} \
            else list(campaign.documents)
        for doc in specs:
            leaves = doc.leaf_fields()
            for spec in leaves:
                if spec.key == key:
                    group = spec.group or _sibling_group(leaves, key)
                    return f"{group} · {spec.label}" if group else spec.label
            if doc.rubric is not None:
                for item in doc.rubric.items:
                    if item.key == key:
                        return f"评分细则第 {item.group} 部分第 {item.number} 项"
                if key == "rubric.total":
                    return doc.rubric.total_label
        # document.missing names the document kind in its field
        if key in {d.kind for d in campaign.documents}:
            return document_title(campaign, key)
    return key


def _sibling_group(leaves: list[Any], key: str) -> str | None:
    """The group named on a sibling: the YAML gives 党组织书记情况 once, on secretary.name,
    and every secretary.* field sits under it on the form."""
    prefix = key.rpartition(".")[0]
    if not prefix:
        return None
    return next((f.group for f in leaves if f.group and f.key.rpartition(".")[0] == prefix), None)


def document_title(campaign: Campaign | None, kind: str) -> str:
    if campaign is not None:
        for doc in campaign.documents:
            if doc.kind == kind:
                return doc.title
    return kind


def display_value(value: Any) -> str:
    """A field's value as one line of text for people."""
    if value is None:
        return ""
    if isinstance(value, dict):   # a rubric item {max, self_score, …} or a compound value
        if "self_score" in value:
            return f"自评 {value.get('self_score', '')} / 满分 {value.get('max', '')}"
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _field_order(campaign: Campaign | None, kind: str) -> dict[str, int]:
    if campaign is None or kind not in {d.kind for d in campaign.documents}:
        return {}
    return {f.key: i for i, f in enumerate(campaign.document(kind).leaf_fields())}


def enrich_finding(campaign: Campaign | None, finding: dict[str, Any]) -> dict[str, Any]:
    out = dict(finding)
    out["label"] = field_label(campaign, finding.get("field"), finding.get("document"))
    out["severity_label"] = SEVERITIES.get(str(finding.get("severity")), str(finding.get("severity")))
    return out


def enrich_document(campaign: Campaign | None, doc: dict[str, Any]) -> dict[str, Any]:
    kind = str(doc.get("kind", ""))
    order = _field_order(campaign, kind)
    fields = doc.get("fields") or {}
    rows = []
    for key, fv in fields.items():
        fv = fv if isinstance(fv, dict) else {"value": fv}
        rows.append({"key": key, "label": field_label(campaign, key, kind),
                     "value": fv.get("value"), "display": display_value(fv.get("value")),
                     "confidence": fv.get("confidence"), "page": fv.get("page")})
    rows.sort(key=lambda r: (order.get(r["key"], len(order)), r["key"]))
    return {**doc, "title": document_title(campaign, kind), "rows": rows,
            # 字数 of the long texts,按 Microsoft Word 字数统计口径
            "count_rows": [{"key": k, "label": field_label(campaign, k, kind), "value": v}
                           for k, v in (doc.get("counts") or {}).items()]}


def stage_name(campaign: Campaign | None, stage_id: str | None) -> str | None:
    """A stage's name in the campaign file (its id when the file no longer has it)."""
    if not stage_id:
        return None
    try:
        return engine.stage(campaign, stage_id).name if campaign is not None else stage_id
    except Exception:     # a stage renamed in the file since
        return stage_id


def present_lifecycle(campaign: Campaign | None, standing: dict[str, Any]) -> dict[str, Any]:
    """The lifecycle JSON with the stage named (审核中（机关党委审核）) and reasons per field labelled."""
    name = stage_name(campaign, standing.get("stage"))
    code = standing.get("code")
    out = dict(standing)
    out["stage_name"] = name
    if code is not None:
        out["label"] = lifecycle.label(lifecycle.State(code), name)
    out["field_reasons_labelled"] = [{"field": k, "label": field_label(campaign, k), "reason": v}
                                     for k, v in (standing.get("field_reasons") or {}).items()]
    return out


def present_status(campaign: Campaign | None, status: dict[str, Any]) -> dict[str, Any]:
    """`status` with labels for people; the original keys are kept unchanged."""
    files = []
    for f in status.get("files", []):
        findings = [enrich_finding(campaign, x) for x in f.get("findings", [])]
        files.append({
            **f,
            "state_label": FILE_STATES.get(str(f.get("state")), str(f.get("state"))),
            "method_label": METHODS.get(str(f.get("method")), f.get("method") or ""),
            "final": f.get("state") in ("done", "failed"),
            "documents": [enrich_document(campaign, d) for d in f.get("documents", [])],
            "findings": findings,
            "errors": [x for x in findings if x.get("severity") == "error"],
            "warnings": [x for x in findings if x.get("severity") != "error"],
        })
    sub_findings = [enrich_finding(campaign, x) for x in status.get("findings", [])]
    out = {**status, "files": files, "findings": sub_findings,
           "lifecycle": present_lifecycle(campaign, status.get("lifecycle") or {}),
           "submission_errors": [x for x in sub_findings if x.get("severity") == "error"],
           "submission_warnings": [x for x in sub_findings if x.get("severity") != "error"]}
    if campaign is not None:
        out["campaign"] = {"id": campaign.id, "title": campaign.title}
    return out


# the audit log's detail keys in people's words (the keys stay in the API and a tooltip)
DETAIL_LABELS = {
    "stage": "环节", "name": "环节名称", "departments": "联审部门", "department": "部门", "decision": "决定",
    "opinion": "意见", "reasons": "理由", "field_reasons": "逐项修改意见", "sealed": "盖章",
    "signed_by": "签字人", "opinion_date": "落款日期", "scores": "考评分", "total": "考评分合计",
    "inspection": "实地检查", "field": "栏目", "machine_value": "机器识别", "value": "更正为",
    "start": "公示开始", "end": "公示结束", "working_days": "工作日", "text": "内容", "objection": "异议编号",
    "resolution": "处理结果", "version": "版本", "files": "文件数", "message": "问题", "note": "说明",
    "reason": "理由", "to": "改派给", "previous": "原处理人", "lapsed_from": "原领取人（已超时）",
    "warnings": "提醒条数", "warnings_read": "已阅读提醒", "site_level": "级别", "finding": "问题编号",
    "date": "日期", "notes": "情况",
}
SITE_LEVELS = {"county": "县级", "city": "市级"}
HIDDEN_DETAIL = {"code", "file_id", "campaign_id", "state", "attempts", "error"}


def _detail_text(campaign: Campaign | None, key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "stage" and campaign is not None:
        try:
            return engine.stage(campaign, str(value)).name
        except Exception:   # a stage renamed since: its id, as recorded
            return str(value)
    if key == "decision":
        return engine.DECISION_LABELS.get(str(value), str(value))
    if key == "field":
        return field_label(campaign, str(value))
    if key == "site_level":
        return SITE_LEVELS.get(str(value), str(value))
    if key == "files" and isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            label = field_label(campaign, k) if "." in k or key in ("field_reasons", "scores") else \
                DETAIL_LABELS.get(k, k)
            parts.append(f"{label} {_detail_text(campaign, k, v)}")
        return "；".join(parts)
    if isinstance(value, (list, tuple)):
        return "、".join(_detail_text(campaign, key, v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def history_detail(campaign: Campaign | None, detail: dict[str, Any] | None) -> list[dict[str, str]]:
    """An audit entry's detail as label/text pairs for the history page; the key is kept for a tooltip."""
    out = []
    for key, value in (detail or {}).items():
        if value in (None, "", [], {}) or key in HIDDEN_DETAIL or key not in DETAIL_LABELS:
            continue
        out.append({"key": key, "label": DETAIL_LABELS[key], "text": _detail_text(campaign, key, value)})
    return out
