"""The unit's own page in headless Chromium against a running `dossier up`: the recommender picked from
the campaign's list (a select the campaign switches, never typed); a draft whose form says
详见附页 with no narrative is 检查中 while it is read, then shows the `document.missing` finding and
why it cannot be submitted yet, without a reload; the narrative uploaded after it lifts that."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Iterator

import pytest
from docx import Document

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.auth import accounts
from storage.db import make_engine, make_sessionmaker, migrate
from tests.docx_factory import jinhua_form, narrative
from tests.page_checks import check_page, chromium_page
from tests.edges import ARTIFACTS, dossier_env, free_port, running, wait_http
from tests.review_helpers import PASSWORD

pytestmark = pytest.mark.browser



@pytest.fixture
def service(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = Settings(data_dir=tmp_path / "var", port=port)
    engine = make_engine(settings)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        accounts.create_user(s, username="unit", password=PASSWORD, role="unit", organisation="金华市某局机关支部")
        # a recommender of a kind the notice lists no names for (党群系统各机关党组织): its account is the list
        accounts.create_user(s, username="rec", password=PASSWORD, role="recommender", organisation="金华市总工会党组")
    engine.dispose()
    log = ARTIFACTS / "logs" / f"unit-dossier-up-{port}.log"
    with running(["up"], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield base


@pytest.fixture
def page() -> Iterator[object]:
    with chromium_page() as p:
        yield p


def _narrative(path: Path) -> Path:
    d = Document()
    d.add_paragraph("创建事迹介绍材料")
    d.add_paragraph(narrative(1000))
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _offered(select: object) -> list[str]:
    return select.locator("option:not([value=''])").evaluate_all("os => os.map(o => o.value)")  # type: ignore[attr-defined, no-any-return]


def _pick_from_lists(page: object) -> None:
    """The new draft's recommender and 创建对象 are selects of the chosen campaign's lists: Jinhua's
    recommenders (the registered account among them, under its kind), Yueyang's 创建的对象; switching the
    campaign switches what is offered.  The page passes axe.  Leaves Jinhua chosen with the account picked."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    form = page.locator("#new-submission")
    recommender, kind = form.locator("select[name=recommender]"), form.locator("select[name=applicant_kind]")
    expect(form.locator("input[name=recommender]")).to_have_count(0)        # never typed
    page.select_option("#new-submission select[name=campaign]", "jinhua-2015")
    expect(recommender).to_be_visible()
    expect(kind).to_be_hidden()
    jinhua = _offered(recommender)
    assert "武义县直机关工委" in jinhua and "金华市总工会党组" in jinhua and "局机关党支部" not in _offered(kind)
    expect(recommender.locator("optgroup[label$='党群系统各机关党组织（市级）'] option")).to_have_text(["金华市总工会党组"])
    assert recommender.evaluate("s => s.required")                             # the flow needs one
    page.select_option("#new-submission select[name=campaign]", "yueyang-2017")
    expect(recommender).to_be_hidden()
    expect(kind).to_be_visible()
    assert _offered(kind) == ["局机关党支部", "局直单位党组织", "市律师协会党总支部"] and _offered(recommender) == []
    page.select_option("#new-submission select[name=campaign]", "jinhua-2015")
    assert _offered(recommender) == jinhua and _offered(kind) == []
    page.select_option("#new-submission select[name=recommender]", "金华市总工会党组")


def _login(page: object, base: str) -> None:
    page.goto(base + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", "unit")  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]


def test_the_new_draft_form_passes_axe(service: str) -> None:
    """The unit's page with the lists switched and a recommender picked: no code on screen, no serious
    axe violation (axe goes in as an inline script: this context bypasses the page's CSP)."""
    from tests.page_checks import chromium_browser

    with chromium_browser() as browser:
        page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
        _login(page, service)
        _pick_from_lists(page)
        check_page(page, "unit-new-draft")


def test_without_javascript_every_campaigns_choices_show(service: str) -> None:
    """GIVEN a browser without JavaScript THEN the selects hold every campaign's choices in optgroups
    labelled by campaign (the server refuses another campaign's: tests/test_applicants.py)."""
    from tests.page_checks import chromium_browser

    with chromium_browser() as browser:
        page = browser.new_context(locale="zh-CN", java_script_enabled=False).new_page()
        _login(page, service)
        groups = page.locator("#new-submission optgroup").evaluate_all("gs => gs.map(g => g.label)")
        assert f"{get_campaign('jinhua-2015').title} · 各县（市、区）直机关工委（县级）" in groups, groups
        assert f"{get_campaign('yueyang-2017').title} · 创建的对象" in groups, groups
        assert page.locator("#new-submission select[name=applicant_kind]").is_visible()


def test_checking_then_missing_document_without_reload(service: str, page: object, tmp_path: Path) -> None:
    """GIVEN a logged-in unit WHEN it starts a draft with a 推荐表 whose 主要创建事迹 says 详见附页 THEN its
    page says 检查中 and then, by itself, lists 缺少《创建事迹介绍材料》 and offers no 提交审核; once the
    narrative is uploaded the page offers 提交审核."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # htmx runs under the pages' CSP (script-src 'self', no eval): a refusal would be a console error
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.goto(service + "/login")
    page.fill("input[name=username]", "unit")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("我的申报")

    form = jinhua_form(tmp_path / "推荐表.docx", {"deeds": "详见附页"})
    _pick_from_lists(page)
    page.set_input_files("#new-submission input[type=file]", str(form))
    page.click("#new-submission button[type=submit]")

    # the draft's own page, while its file is read and the submission checked
    expect(page).to_have_url(re.compile(r"/submissions/[0-9a-f]{32}"))
    panel = page.locator("#panel")
    expect(page.locator("#life-state")).to_have_text("检查中")
    expect(panel).to_have_attribute("data-final", "false")
    expect(panel).to_have_attribute("hx-trigger", re.compile(r"every 2s"))     # htmx re-fetches it
    expect(panel.locator(".summary")).to_contain_text("检查中")
    expect(panel.locator(".summary")).not_to_contain_text("未发现问题")
    page.evaluate("window.__same_page = true")      # gone if the page were reloaded
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)

    # then, without a reload, the whole-submission finding
    expect(page.locator("#panel")).to_have_attribute("data-final", "true", timeout=90_000)
    assert page.evaluate("window.__same_page === true")
    assert page.locator("#panel").get_attribute("hx-trigger") is None         # final: the polling stops
    page.wait_for_timeout(3_500)        # longer than the refresh a page without JavaScript does: none here
    assert navigations == [] and page.evaluate("window.__same_page === true")
    expect(page.locator("#life-state")).to_have_text("待提交")
    whole = page.locator("#panel section.card", has_text="整份申报")
    expect(whole).to_contain_text("缺少《创建事迹介绍材料》")
    # the code is for the curious only: a tooltip on the finding, never text on the page
    expect(whole.locator('.findings.error li[title="document.missing"]')).to_have_count(1)
    expect(page.locator("#submit-box")).to_contain_text("还不能提交审核")
    expect(page.locator("#submit-form")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "unit-missing-document.png"), full_page=True)

    # the narrative in its own file completes the form: 提交审核 is offered (after the warnings are read)
    page.set_input_files("#add-files input[type=file]", str(_narrative(tmp_path / "创建事迹介绍材料.docx")))
    page.click("#add-files button[type=submit]")
    expect(page.locator("#msg")).to_contain_text("正在检查")
    expect(page.locator("#submit-form")).to_be_visible(timeout=90_000)
    expect(page.locator("#panel")).not_to_contain_text("缺少《创建事迹介绍材料》")
    warnings = page.locator("#submit-form input[name=warnings_read]")
    if warnings.count():
        warnings.check()
    page.click("#submit-form button[type=submit]")
    expect(page.locator("#msg")).to_contain_text("已提交审核")
    expect(page.locator("#life-state")).to_have_text("已提交")
    assert errors == []
