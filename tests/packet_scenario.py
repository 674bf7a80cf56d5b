"""Submissions walked through their review, for the packet tests: real files read by the
pipeline's functions, then decisions, scores, corrections and objections as reviewers give them."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.auth import accounts
from services.review import flow, queue
from services.submissions.service import accept_upload
from storage import versions
from storage.objects import open_store
from storage.review_models import ReviewTask, User
from tests.docx_factory import jinhua_form, score_sheet, yueyang_form
from tests.review_helpers import person, submission
from workers import steps

LEASE = 600
UNIT = "局机关党支部"
OTHER_UNIT = "市律师协会党总支部"
CORRECTED_MEMBERS = "32"


def upload(s: Session, settings: Settings, sid: str, name: str, data: bytes) -> str:
    return accept_upload(s, open_store(settings), settings, submission_id=sid, filename=name,
                         stream=io.BytesIO(data)).id


def read(settings: Settings, sessions: sessionmaker[Session], sid: str, file_ids: list[str]) -> None:
    """What the workers do with Word files, then the submission check."""
    rt = steps.Runtime(settings, sessions, open_store(settings))
    for fid in file_ids:
        steps.ingest_file(rt, fid)
        assert steps.extract_file(rt, fid) == "done"
    assert steps.check_submission(rt, sid) == "checked"


def pdf_pages(n: int, text: str = "scanned page") -> bytes:
    """A plain PDF of `n` pages, as a scanner's PDF arrives."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(n):
        c.drawString(72, 760, f"{text} {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def photo() -> bytes:
    img = Image.new("RGB", (900, 600), (240, 236, 225))
    ImageDraw.Draw(img).rectangle((100, 100, 800, 500), outline=(200, 20, 30), width=12)
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def staff(s: Session, username: str, role: str, **binding: str) -> User:
    """The account `username`, made on first use (several submissions share their reviewers)."""
    return accounts.find_user(s, username) or person(s, username, role, **binding)


def _open(s: Session, sid: str) -> list[ReviewTask]:
    return list(s.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid, ReviewTask.state == "open")))


@dataclass
class Yueyang:
    sid: str
    form: str
    sheet: str
    scan: str
    picture: str
    machine_members: str = ""
    extra: list[str] = field(default_factory=list)


def yueyang_passed(s: Session, settings: Settings, sessions: sessionmaker[Session], tmp: Path, *,
                   organisation: str = UNIT, to_title: bool = True) -> Yueyang:
    """A yueyang-2017 application (申报表 + 评分细则 .docx, a 2-page scan PDF, a photo) that the bureau
    scored, inspected and passed, the city passed and the year-end acceptance made a 创建单位;
    the bureau corrected 党员人数 on the way."""
    items = list(get_campaign("yueyang-2017").document("score_sheet").rubric.items)
    bureau = staff(s, "bureau", "reviewer", stage_id="bureau_review")
    city = staff(s, "city", "reviewer", stage_id="report_city")
    boss = staff(s, "boss", "admin", display_name="验收组")
    sid = submission(s, "yueyang-2017", organisation)
    d = tmp / sid
    d.mkdir()
    form = upload(s, settings, sid, "申报表.docx", yueyang_form(d / "f.docx", {"unit_name": f"中共{organisation}"}).read_bytes())
    sheet = upload(s, settings, sid, "评分细则.docx",
                   score_sheet(d / "s.docx", [it.max for it in items], 100).read_bytes())
    read(settings, sessions, sid, [form, sheet])
    # a scan and a photo as well: OCR is not what these tests are about, so they stay unread
    scan = upload(s, settings, sid, "实地照片扫描.pdf", pdf_pages(2, sid))
    picture = upload(s, settings, sid, "党员活动室.jpg", photo())
    flow.start_review(s, None, sid)
    task = queue.claim_next(s, bureau, lease_seconds=LEASE)
    assert task is not None
    # the scan and photo are unread, so the version's snapshot waits; the form's value is read already
    machine = str(versions.holding(s, flow.versions(s, sid)).fields["member_count"])
    flow.correct_field(s, bureau, task.id, "member_count", CORRECTED_MEMBERS, machine)
    flow.save_scores(s, bureau, task.id, {it.key: it.max - (1 if it.number == 1 else 0) for it in items})
    flow.decide(s, bureau, task.id, "pass", {"opinion": "材料齐全，实地检查属实", "signed_by": "李明",
                                             "opinion_date": "2017-05-12",
                                             "inspection": {"date": "2017-05-10", "notes": "党员活动阵地规范"}})
    obj = flow.raise_objection(s, city, sid, "群众反映党员人数与花名册不符")
    flow.resolve_objection(s, city, obj.id, "经核实，花名册为32人，已更正")
    [t] = _open(s, sid)
    queue.claim(s, city, t.id, lease_seconds=LEASE)
    flow.decide(s, city, t.id, "pass", {"opinion": "同意上报市直机关工委", "sealed": True, "opinion_date": "2017-06-01"})
    if to_title:
        [t] = _open(s, sid)
        queue.claim(s, boss, t.id, lease_seconds=LEASE)
        flow.decide(s, boss, t.id, "pass", {"opinion": "验收合格"})
    return Yueyang(sid=sid, form=form, sheet=sheet, scan=scan, picture=picture, machine_members=machine)


def jinhua_with_form(s: Session, settings: Settings, sessions: sessionmaker[Session], tmp: Path,
                     organisation: str, recommender: str) -> str:
    sid = submission(s, "jinhua-2015", organisation, recommender)
    # a complete form, its 主要创建事迹 written inside (about 1000 字): nothing blocks a pass
    path = jinhua_form(tmp / f"{sid}.docx", {"org_name": f"中共{organisation}支部委员会",
                                            "deeds": "坚持把党的政治建设摆在首位，扎实开展“三会一课”。" * 40})
    fid = upload(s, settings, sid, "推荐表.docx", path.read_bytes())
    read(settings, sessions, sid, [fid])
    return sid


def recommend(s: Session, sid: str, rec: object, when: dt.datetime) -> None:
    """The recommender's 公示 (started well before `when`) and its 推荐意见, both passed."""
    flow.start_review(s, None, sid)
    [notice] = _open(s, sid)
    queue.claim(s, rec, notice.id, lease_seconds=LEASE)  # type: ignore[arg-type]
    went_up = when - dt.timedelta(days=20)     # recorded the day it went up: a past start is refused
    flow.start_notice(s, rec, notice.id, went_up.date(), now=went_up)  # type: ignore[arg-type]
    flow.decide(s, rec, notice.id, "pass", {}, now=when)  # type: ignore[arg-type]
    [op] = _open(s, sid)
    queue.claim(s, rec, op.id, lease_seconds=LEASE)  # type: ignore[arg-type]
    flow.decide(s, rec, op.id, "pass", {"opinion": "同意推荐", "sealed": True,  # type: ignore[arg-type]
                                        "opinion_date": "2015-11-10"}, now=when)
