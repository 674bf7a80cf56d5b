"""The errors that stop a reviewer's 通过, each with what to do about it, in Chinese.

`workers.findings_gate` says which findings block; this module says so to a
person: on the desk beside the decision buttons, and in the 409 the decision
endpoint answers when a pass is refused.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dossier.campaigns import Campaign
from dossier.presenters import field_label
from services.kit.errors import DomainError
from workers.findings_gate import blocking_findings, contests_of
from storage.models import FindingRow


class FindingsBlock(DomainError):
    status_code = 409
    code = "findings.blocking"


def finding_label(campaign: Campaign, f: FindingRow) -> str:
    """The field's label on the form, or the document's title for a finding on a whole document."""
    if f.field:
        return field_label(campaign, f.field, f.document)
    titles = {d.kind: d.title for d in campaign.documents}
    return titles.get(f.document or "", "整份申报")


def absolute_refusal(campaign: Campaign, code: str) -> str | None:
    """The notice's words when the campaign makes this finding's rule absolute, else None."""
    rule = campaign.finding_rule(code)
    if rule.overridable:
        return None
    quoted = f"通知规定“{rule.notice}”，" if rule.notice else "通知对此有明确规定，"
    return f"{quoted}这是评选的硬性条件，不能放行，只能退回申报单位或作出不予通过的决定。"


def what_to_do(campaign: Campaign, f: FindingRow, contested: bool) -> str:
    absolute = absolute_refusal(campaign, f.code)
    if contested:
        first = "请对照原件确认识别有误，或维持该问题（申报将退回）"
        return f"{first}；{absolute}" if absolute else f"{first}。"
    if absolute:
        return absolute
    return "请对照原件：识别有误的，在审核台更正该项数值（将重新检查）；确有问题但可以放行的，填写放行理由。"


def blocking_items(session: Session, campaign: Campaign, submission_id: str) -> list[dict[str, Any]]:
    """What stops a pass now, for the desk and the API: id (None for an error a correction raised),
    code, label, message, overridable, contested note and what to do."""
    rows = blocking_findings(session, submission_id, audience="reviewer", campaign=campaign)
    contests = contests_of(session, rows)
    out = []
    for f in rows:
        c = contests.get(f.id) if f.id is not None else None
        pending = c.note if c is not None and c.outcome is None else None
        out.append({"id": f.id, "code": f.code, "field": f.field, "label": finding_label(campaign, f),
                    "message": f.message, "page": f.page, "overridable": campaign.finding_rule(f.code).overridable,
                    "contested": pending, "todo": what_to_do(campaign, f, pending is not None)})
    # contested first: the unit asked for a person's eyes on these
    return sorted(out, key=lambda i: i["contested"] is None)


def ensure_passable(session: Session, campaign: Campaign, submission_id: str) -> None:
    """Refuse a pass while error findings are open (not corrected, overridden or confirmed wrong)."""
    items = blocking_items(session, campaign, submission_id)
    if not items:
        return
    listed = "；".join(f"{n}.「{i['label']}」{i['message']}"
                      + (f"（申报单位认为识别有误：“{i['contested']}”）" if i["contested"] is not None else "")
                      + f" —— {i['todo']}" for n, i in enumerate(items, 1))
    raise FindingsBlock(f"还有 {len(items)} 处错误未处理，暂不能通过：{listed}",
                        f"{len(items)} blocking error findings: {', '.join(i['code'] for i in items)}")
