"""The review as people do it, in headless Chromium against a running `dossier up`:
a unit uploads, a reviewer claims, corrects, scores and returns it; the unit reads the
reasons and resubmits; two joint-review departments decide in parallel."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterator

import pytest

from dossier.settings import Settings
from services.auth import accounts
from services.review import flow
from storage.db import make_engine, make_sessionmaker, migrate
from storage.review_models import AuditEntry
from tests.docx_factory import yueyang_form
from tests.edges import ARTIFACTS, dossier_env, free_port, running, wait_http
from tests.page_checks import chromium_browser
from tests.review_helpers import PASSWORD, submission

pytestmark = pytest.mark.browser

COUNTY = "武义县直机关工委"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    # a short lease, so that the desk's renewal is seen within the test
    settings = Settings(data_dir=tmp_path / "var", port=port, review_lease_seconds=30)
    engine = make_engine(settings)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        accounts.create_user(s, username="unit", password=PASSWORD, role="unit", organisation="局机关党支部")
        accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer", stage_id="bureau_review")
        for name, dept in (("zfw", "政法委"), ("jw", "纪委"), ("wj", "卫生计生局"), ("xf", "信访局")):
            accounts.create_user(s, username=name, password=PASSWORD, role="reviewer",
                                 stage_id="joint_review_county", department=dept)
        # a county point already past its 公示, at the joint review
        sid = submission(s, "jinhua-2015", "武义县某局党支部", COUNTY)
        review = flow.start_review(s, None, sid)
        for t in s.query(flow.ReviewTask).filter_by(submission_id=sid):
            t.state = "done"
            t.decision = "pass"
        flow._open_stage(s, s.get(flow.Submission, sid), review,
                         flow.engine.stage(flow.get_campaign("jinhua-2015"), "joint_review_county"), flow.utcnow())
        s.commit()
        for name in ("wj", "xf"):     # two departments have already given their opinions
            user = accounts.find_user(s, name)
            from services.review import queue
            t = queue.claim_next(s, user, lease_seconds=600)  # type: ignore[arg-type]
            flow.decide(s, user, t.id, "pass", {"opinion": "无异议"})  # type: ignore[arg-type, union-attr]
    engine.dispose()
    log = ARTIFACTS / "logs" / f"desk-dossier-up-{port}.log"
    with running(["up"], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield base, sid


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium_browser() as b:
        yield b


def _page(browser: object, base: str, username: str) -> object:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _complete_form(path: Path, values: dict[str, str] | None = None) -> Path:
    """The 申报表 with its 评分细则: a complete submission (without it 提交审核 is refused, document.missing)."""
    rubric = next(d.rubric for d in flow.get_campaign("yueyang-2017").documents if d.rubric is not None)
    scores = [item.max for item in rubric.items]
    return yueyang_form(path, values, scores=scores, total=sum(scores))


def _submit_when_checked(unit: object) -> None:
    """On the draft's page: once the checks are done, confirm the warnings read and 提交审核 (or 重新提交)."""
    from playwright.sync_api import expect

    expect(unit.locator("#submit-form")).to_be_visible(timeout=90_000)  # type: ignore[attr-defined]
    warnings = unit.locator("#submit-form input[name=warnings_read]")  # type: ignore[attr-defined]
    if warnings.count():
        warnings.check()
    unit.click("#submit-form button[type=submit]")  # type: ignore[attr-defined]
    expect(unit.locator(".flash")).to_contain_text("已提交审核", timeout=20_000)  # type: ignore[attr-defined]


def test_claim_correct_score_return_resubmit(service: tuple[str, str], browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, _ = service
    form = _complete_form(tmp_path / "申报表.docx")
    unit = _page(browser, base, "unit")
    expect(unit.locator("h1")).to_contain_text("我的申报")
    # the campaign is chosen, never defaulted: a Yueyang form sent as a Jinhua submission went to the
    # Jinhua recommender's 公示, and the bureau's queue was empty (its "暂无任务" row was counted as a task)
    unit.select_option("#new-submission select[name=campaign]", "yueyang-2017")
    unit.select_option("#new-submission select[name=applicant_kind]", "局机关党支部")   # 创建的对象
    unit.set_input_files("#new-submission input[type=file]", str(form))
    unit.click("#new-submission button[type=submit]")
    expect(unit.locator(".flash")).to_contain_text("草稿已建立")
    _submit_when_checked(unit)
    unit.goto(base + "/unit")
    expect(unit.locator(".submission .meta").first).to_contain_text("市局机关党委材料审核及实地检查")

    rev = _page(browser, base, "bureau")
    expect(rev.locator("table.tasks tbody tr[data-task]")).to_have_count(1)
    rev.click("#claim-next")
    expect(rev.locator("h1")).to_contain_text("市局机关党委材料审核及实地检查")
    # wait for the worker to read the form
    for _ in range(60):
        if rev.locator(".field-row").count():
            break
        rev.wait_for_timeout(1000)
        rev.reload()
    row = rev.locator(".field-row").first
    row.locator("input[name=value]").fill("更正后的值")
    row.locator("button").click()
    expect(rev.locator(".corrected").first).to_have_text("更正后的值")
    inputs = rev.locator("#scores input[data-max]")
    for i in range(inputs.count()):
        inputs.nth(i).fill(inputs.nth(i).get_attribute("data-max") or "0")
    expect(rev.locator("#score-total")).to_have_text("100")
    rev.click("#scores button[type=submit]")
    expect(rev.locator(".flash")).to_contain_text("合计 100 分")
    _shot(rev, "reviewer")
    rev.fill("textarea[name=reasons]", "党员人数与附件不一致，请核实后重新提交。")
    # and the field it concerns, with what to change there
    rev.select_option("select[name=reason_field_1]", "member_count")
    rev.fill("input[name=reason_text_1]", "与党员花名册核对")
    rev.click("#decide button[value=return]")
    expect(rev.locator(".flash")).to_contain_text("退回")

    unit.goto(base + "/unit")
    expect(unit.locator(".reasons")).to_have_text("党员人数与附件不一致，请核实后重新提交。")
    expect(unit.locator(".submission .field-reasons")).to_have_text("党员人数：与党员花名册核对")
    expect(unit.locator(".submission .badge").first).to_have_text("已退回")
    _shot(unit, "unit-returned")
    fixed = _complete_form(tmp_path / "申报表-修改.docx", {"member_count": "36"})
    unit.set_input_files(".resubmit input[type=file]", str(fixed))
    unit.click(".resubmit button")
    expect(unit.locator(".flash")).to_contain_text("正在检查")
    _submit_when_checked(unit)
    unit.goto(base + "/unit")
    expect(unit.locator(".submission .meta").first).to_contain_text("第 2 版")

    rev.goto(base + "/review")
    rev.click("#claim-next")
    expect(rev.locator(".meta").first).to_contain_text("第 2 版")
    # what the new version changed, once the worker has read it: 党员人数, and nothing that stayed
    for _ in range(60):
        if rev.locator(".changes table").count():
            break
        expect(rev.locator(".changes")).to_contain_text("仍在读取中")
        rev.wait_for_timeout(1000)
        rev.reload()
    changed = rev.locator(".changes table tr").filter(has_text="党员人数")
    expect(changed).to_have_count(1)
    expect(changed.locator("td").nth(2)).to_have_text("36")
    expect(rev.locator(".changes table")).not_to_contain_text("单位名称")
    _shot(rev, "reviewer-v2")


def test_two_departments_in_parallel_pass_to_next_stage(service: tuple[str, str], browser: object) -> None:
    from playwright.sync_api import expect

    base, sid = service
    pages = [_page(browser, base, name) for name in ("zfw", "jw")]
    for p in pages:
        p.click("#claim-next")
        expect(p.locator("h1")).to_contain_text("县（市、区）部门联审")
    for p, text in zip(pages, ("政法委：未发现问题，同意。", "纪委：无违纪问题，同意。")):
        p.fill("textarea[name=opinion]", text)
    for p in pages:
        p.click("#decide button[value=pass]")
    for p in pages:
        expect(p.locator(".flash")).to_contain_text("通过")
    hist = pages[0]
    hist.goto(f"{base}/review/submissions/{sid}/history")
    expect(hist.locator("table.history")).to_contain_text("推荐单位意见")
    expect(hist.locator("table.history")).to_contain_text("纪委：无违纪问题")
    _shot(hist, "joint-review-history")


def test_logged_in_unit_can_use_the_plain_upload_page(service: tuple[str, str], browser: object,
                                                      tmp_path: Path) -> None:
    """GIVEN a unit logged in WHEN it uploads on `/` (script and form both post with a session) THEN the
    upload is accepted (its CSRF token travels with it) and the submission is the unit's own."""
    from playwright.sync_api import expect

    base, _ = service
    unit = _page(browser, base, "unit")
    expect(unit.locator("h1")).to_contain_text("我的申报")
    unit.goto(base + "/")
    expect(unit.locator("#logged-in")).to_contain_text("我的申报")
    unit.select_option("#campaign", "yueyang-2017")
    unit.fill("#organisation", "局机关党支部")
    unit.set_input_files("#files", str(yueyang_form(tmp_path / "申报表.docx")))
    unit.click("#submit")
    item = unit.locator("#queue li")
    expect(item).to_have_class("done", timeout=20_000)
    expect(unit.locator("#result")).to_be_visible()
    unit.goto(base + "/unit")
    expect(unit.locator(".submission")).to_have_count(1)


def test_overdue_marking_and_keyboard_shortcuts(service: tuple[str, str], browser: object, tmp_path: Path) -> None:
    """GIVEN a task past its deadline WHEN the reviewer opens the queue THEN the row stands out (red, 已超期)
    and the 已超期 filter lists it; on the desk j/k move between fields, e edits one, Escape leaves it,
    a passes the submission and n claims the next task, all from the keyboard."""
    from playwright.sync_api import expect

    base, _ = service
    unit = _page(browser, base, "unit")
    unit.select_option("#new-submission select[name=campaign]", "yueyang-2017")
    unit.select_option("#new-submission select[name=applicant_kind]", "局机关党支部")   # 创建的对象
    unit.set_input_files("#new-submission input[type=file]", str(_complete_form(tmp_path / "申报表.docx")))
    unit.click("#new-submission button[type=submit]")
    expect(unit.locator(".flash")).to_contain_text("草稿已建立")
    _submit_when_checked(unit)
    # the deadline went by: the task's due date is moved into the past, as time would
    engine = make_engine(Settings(data_dir=tmp_path / "var"))
    with make_sessionmaker(engine)() as s:
        task = s.query(flow.ReviewTask).filter_by(stage_id="bureau_review").one()
        task.due_at = flow.utcnow() - dt.timedelta(days=2)
        late_id = task.id
        s.commit()
        # and another unit's submission waits behind it, in time
        flow.start_review(s, None, submission(s, "yueyang-2017", "市教育局机关第二党支部"))
    engine.dispose()

    rev = _page(browser, base, "bureau")
    tasks = rev.locator("table.tasks tbody tr[data-task]")
    expect(tasks).to_have_count(2)
    late = rev.locator(f"tr[data-task='{late_id}']")
    expect(late).to_have_class("overdue")
    expect(late).to_contain_text("已超期")
    expect(rev.locator("tr.overdue")).to_have_count(1)
    assert late.evaluate("r => getComputedStyle(r).backgroundColor") != \
        tasks.filter(has_not_text="已超期").evaluate("r => getComputedStyle(r).backgroundColor")
    rev.select_option(".filters select[name=state]", "overdue")
    rev.click(".filters button[type=submit]")
    expect(tasks).to_have_count(1)
    expect(tasks.first).to_have_attribute("data-task", late_id)
    _shot(rev, "queue-overdue")

    rev.click("#claim-next")
    for _ in range(60):                     # the worker reads the form
        if rev.locator(".field-row").count() > 1:
            break
        rev.wait_for_timeout(1000)
        rev.reload()
    rows = rev.locator(".field-row")
    # while the reviewer works, the page renews the lease (30 s here: every 10 s) and shows its new expiry
    shown = rev.locator("#lease time").inner_text()
    rev.mouse.move(200, 200)
    expect(rev.locator("#lease time")).not_to_have_text(shown, timeout=20_000)
    expect(rev.locator("#lease")).not_to_have_class(re.compile("error"))
    engine = make_engine(Settings(data_dir=tmp_path / "var"))
    with make_sessionmaker(engine)() as s:
        renewals = s.query(AuditEntry).filter_by(action="renew", actor="bureau").count()
    engine.dispose()
    assert renewals >= 1
    rev.locator("h1").click()               # the keys act on the page, not in a text box
    rev.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("field-row focus")
    rev.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("field-row focus")
    expect(rows.nth(0)).to_have_class("field-row")
    rev.keyboard.press("k")
    expect(rows.nth(0)).to_have_class("field-row focus")
    rev.keyboard.press("e")
    box = rows.nth(0).locator("input[name=value]")
    expect(box).to_be_focused()
    rev.keyboard.type("jk")                 # letters typed into a box are text, not shortcuts
    expect(box).to_have_value("jk")
    expect(rows.nth(0)).to_have_class("field-row focus")
    rev.keyboard.press("Escape")
    expect(box).not_to_be_focused()

    inputs = rev.locator("#scores input[data-max]")
    for i in range(inputs.count()):
        inputs.nth(i).fill(inputs.nth(i).get_attribute("data-max") or "0")
    rev.click("#scores button[type=submit]")
    expect(rev.locator(".flash")).to_contain_text("合计 100 分")
    rev.fill("input[name=inspection_date]", "2017-06-20")
    rev.fill("textarea[name=inspection_notes]", "台账齐全，阵地规范。")
    rev.fill("textarea[name=opinion]", "材料属实，同意上报。")
    # the opinion box asks for 签字 and 年月日 where the campaign file says so
    if rev.locator("#signed_by").count():
        rev.fill("#signed_by", "李明")
    if rev.locator("input[name=opinion_date]").count():
        rev.fill("input[name=opinion_date]", "2017-06-20")
    rev.locator("h1").click()
    rev.keyboard.press("a")
    expect(rev.locator(".flash")).to_contain_text("通过")
    _shot(rev, "desk-after-a")
    rev.keyboard.press("n")                 # the next task: the other unit's submission
    expect(rev.locator("h1")).to_contain_text("市教育局机关第二党支部 · 市局机关党委材料审核及实地检查")
