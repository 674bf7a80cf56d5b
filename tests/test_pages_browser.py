"""The pages as people see them, in headless Chromium at a desktop (1366×900) and a phone (375×812)
width: the unit's page, the queue and the desk of both campaigns.  One `dossier up` and one browser
for the module.  What a user would check: the desk's field table is readable (label column at least
6 字, correction box at least 160 px, 更正 on one line), a Word original shows its pages, every file
of the version is listed, and no code, English key or UTC reaches the screen.  axe-core (npm,
injected by Playwright) finds no serious or critical violation on any page visited.
Screenshots: test-artifacts/pages-*.png."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from dossier.settings import Settings
from services.auth import accounts
from services.review import flow
from storage.db import make_engine, make_sessionmaker, migrate
from tests.docx_factory import yueyang_form
from tests.edges import ARTIFACTS, dossier_env, free_port, running, wait_http
from tests.page_checks import AXE, SIZES, check_page, chromium_browser
from tests.review_helpers import PASSWORD, at_joint_review

pytestmark = pytest.mark.browser

COUNTY = "武义县直机关工委"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("pages")
    port = free_port()
    settings = Settings(data_dir=tmp / "var", port=port)
    engine = make_engine(settings)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        accounts.create_user(s, username="unit", password=PASSWORD, role="unit", organisation="局机关党支部")
        accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer", stage_id="bureau_review")
        accounts.create_user(s, username="zfw", password=PASSWORD, role="reviewer",
                             stage_id="joint_review_county", department="政法委")
        accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        # a Jinhua county point past its 公示, at the joint review of four departments
        sid = at_joint_review(s, county=COUNTY)
    engine.dispose()
    log = ARTIFACTS / "logs" / f"pages-dossier-up-{port}.log"
    with running(["up"], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield {"base": base, "jinhua": sid, "tmp": str(tmp)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


def _login(browser: Any, base: str, username: str, size: str = "desktop") -> Any:
    w, h = SIZES[size]
    page = browser.new_context(locale="zh-CN", viewport={"width": w, "height": h}, bypass_csp=True).new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _complete_form(path: Path, values: dict[str, str] | None = None) -> Path:
    rubric = next(d.rubric for d in flow.get_campaign("yueyang-2017").documents if d.rubric is not None)
    scores = [item.max for item in rubric.items]
    return yueyang_form(path, values, scores=scores, total=sum(scores))


@pytest.fixture(scope="module")
def yueyang_task(service: dict[str, str], browser: Any) -> str:
    """A Yueyang submission of two Word files, put forward by the unit through its page."""
    from playwright.sync_api import expect

    tmp = Path(service["tmp"])
    first = _complete_form(tmp / "申报表-初稿.docx",
                           {"member_count": "30"})
    second = _complete_form(tmp / "申报表.docx")
    unit = _login(browser, service["base"], "unit")
    unit.select_option("#new-submission select[name=campaign]", "yueyang-2017")
    unit.select_option("#new-submission select[name=applicant_kind]", "局机关党支部")   # 创建的对象
    unit.set_input_files("#new-submission input[type=file]", [str(first), str(second)])
    unit.click("#new-submission button[type=submit]")
    expect(unit.locator("#submit-form")).to_be_visible(timeout=120_000)
    warnings = unit.locator("#submit-form input[name=warnings_read]")
    if warnings.count():
        warnings.check()
    unit.click("#submit-form button[type=submit]")
    expect(unit.locator(".flash")).to_contain_text("已提交审核", timeout=20_000)
    unit.context.close()
    return service["base"]


def test_the_unit_page_at_both_widths(service: dict[str, str], browser: Any, yueyang_task: str) -> None:
    base = service["base"]
    for size in SIZES:
        page = _login(browser, base, "unit", size)
        assert "我的申报" in page.locator("h1").first.inner_text()
        # usable on a phone: nothing wider than the screen, the upload form reachable
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size][0] + 1, f"{size}: page {width}px wide"
        assert page.locator("#new-submission button[type=submit]").is_visible()
        check_page(page, f"unit-{size}")
        page.locator(".submission h2 a").first.click()
        page.wait_for_load_state()
        assert page.locator(".top nav").inner_text().find("我的申报") >= 0     # the logged-in header here too
        check_page(page, f"unit-submission-{size}")
        page.context.close()


def test_the_desk_and_queue_of_yueyang(service: dict[str, str], browser: Any, yueyang_task: str) -> None:
    from playwright.sync_api import expect

    base = service["base"]
    rev = _login(browser, base, "bureau")
    expect(rev.locator("table.tasks tbody tr[data-task]")).to_have_count(1)
    assert rev.locator("select[name=stage_id] option").count() > 1     # the campaign's stages, by name
    check_page(rev, "queue-yueyang-desktop")
    rev.click("#claim-next")
    expect(rev.locator("h1")).to_contain_text("市局机关党委材料审核")
    # the Word original as page images, once the packets worker has printed it
    for _ in range(120):
        if rev.locator(".original .page-view img").count():
            break
        rev.wait_for_timeout(1000)
        rev.reload()
    img = rev.locator(".original .page-view img").first
    img.scroll_into_view_if_needed()
    expect(img).to_be_visible()
    rev.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=60_000)
    # every file of the version, the one the fields come from marked
    expect(rev.locator("#version-files > li")).to_have_count(2)
    expect(rev.locator("#version-files > li.source")).to_have_count(1)
    expect(rev.locator("#version-files > li.source")).to_contain_text("申报表.docx")
    # the field table: labels of 6 字 at least, a 160 px correction box, 更正 on one line
    font = float(rev.evaluate("parseFloat(getComputedStyle(document.querySelector('td.label')).fontSize)"))
    for row in rev.locator(".field-row").all():
        assert row.locator("td.label").bounding_box()["width"] >= 6 * font
        assert row.locator("input[name=value]").bounding_box()["width"] >= 160
        button = row.locator("form.correct button").bounding_box()
        assert button["height"] < 2 * font + 4
    # 自评分 read from the score sheet
    expect(rev.locator("td.self-score").first).not_to_have_text("未填")
    # a return without reasons: the error beside the box, the page not reloaded
    rev.click("#decide button[value=return]")
    expect(rev.locator(".field-error[data-for=reasons]")).to_be_visible()
    assert "msg=" not in rev.url
    check_page(rev, "desk-yueyang-desktop")
    phone = _login(browser, base, "bureau", "phone")
    phone.goto(rev.url)
    check_page(phone, "desk-yueyang-phone")
    phone.goto(base + "/review")
    check_page(phone, "queue-yueyang-phone")
    phone.context.close()


def test_the_desk_and_queue_of_jinhua(service: dict[str, str], browser: Any) -> None:
    from playwright.sync_api import expect

    base = service["base"]
    for size in SIZES:
        page = _login(browser, base, "zfw", size)
        check_page(page, f"queue-jinhua-{size}")
        if size == "desktop":
            page.click("#claim-next")
        else:
            page.locator("table.tasks a[href^='/review/tasks/']").first.click()
        expect(page.locator("h1")).to_contain_text("县（市、区）部门联审")
        check_page(page, f"desk-jinhua-{size}")
        if size == "desktop":
            page.goto(f"{base}/review/submissions/{service['jinhua']}/history")
            check_page(page, "history-jinhua-desktop")
        page.context.close()


def test_every_other_page_for_axe(service: dict[str, str], browser: Any) -> None:
    """The home page, login, and the staff's pages: no code on screen, no serious axe violation."""
    base = service["base"]
    anon = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, bypass_csp=True).new_page()
    for path, name in (("/", "home"), ("/login", "login")):
        anon.goto(base + path)
        check_page(anon, name)
    assert anon.locator("a[href='/login']").count() >= 1
    anon.context.close()
    admin = _login(browser, base, "admin")
    for path in ("/ops", "/review/campaigns", "/admin/users", "/admin/packets", "/admin/campaigns", "/inbox"):
        admin.goto(base + path)
        # /admin/campaigns shows the campaign file itself to the admin who loads it: its ids are its content
        check_page(admin, "admin" + path.replace("/", "-"), codes_allowed=path == "/admin/campaigns")
    admin.context.close()


def test_axe_is_there_to_run() -> None:
    """The accessibility checks above need node's axe-core; say so plainly where it is absent."""
    if shutil.which("node") is None:
        pytest.skip("node 未安装：无障碍检查（axe-core）未运行 / node absent: axe-core checks skipped")
    assert AXE.exists(), "axe-core missing: run ./scripts/bootstrap (npm ci)"
