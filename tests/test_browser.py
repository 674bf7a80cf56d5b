"""The unit's page in headless Chromium against a running `dossier up`:
upload a generated .docx, see its progress, see the findings."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from dossier.settings import Settings
from tests.page_checks import chromium_page
from tests.edges import ARTIFACTS, dossier_env, extraction_ready, free_port, jinhua_form_docx, running, wait_http

pytestmark = pytest.mark.browser



@pytest.fixture
def service(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = Settings(data_dir=tmp_path / "var", port=port)
    log = ARTIFACTS / "logs" / f"browser-dossier-up-{port}.log"
    with running(["up"], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield base


@pytest.fixture
def page() -> Iterator[object]:
    with chromium_page() as p:
        yield p


def test_upload_see_progress_and_findings(service: str, page: object, tmp_path: Path) -> None:
    """GIVEN the page WHEN a unit fills the form and uploads a 推荐表 THEN it sees the upload
    complete, the file processed, the fields by their labels and the findings in Chinese."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    form = tmp_path / "金华推荐表.docx"
    form.write_bytes(jinhua_form_docx())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(service + "/")
    expect(page.locator("h1")).to_have_text("材料自查")
    page.select_option("#campaign", "jinhua-2015")
    expect(page.locator('#campaign-docs li[data-campaign="jinhua-2015"]')).to_be_visible()
    page.fill("#organisation", "金华市某某局机关党委")
    page.set_input_files("#files", str(form))
    item = page.locator("#queue li")
    expect(item).to_have_count(1)
    expect(item.locator(".name")).to_have_text("金华推荐表.docx")
    page.click("#submit")

    # the upload's own progress bar fills and says so
    expect(item).to_have_class("done", timeout=20_000)
    assert item.locator(".bar span").evaluate("e => e.style.width") == "100%"
    expect(item.locator(".msg")).to_have_text("已上传，等待识别")

    # then the status panel, polled until the workers are done
    panel = page.locator("#result #panel")
    expect(panel).to_have_attribute("data-final", "true", timeout=90_000)
    card = panel.locator("article.file")
    expect(card.locator(".file-name")).to_have_text("金华推荐表.docx")
    expect(card.locator(".badge")).to_have_text("已完成")
    expect(card.locator("a", has_text="下载原件")).to_be_visible()
    if extraction_ready():
        expect(card.locator(".findings.error h3")).to_contain_text("需要修改")
        expect(card.locator(".findings.error")).to_contain_text("栏目：评定星级")
        expect(card.locator("table.fields")).to_contain_text("党组织名称")
        expect(card.locator("table.fields")).to_contain_text("中共金华市某某局机关支部委员会")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-upload.png"), full_page=True)

    # the submission's own page shows the same, server-rendered
    href = page.locator("#result a").first.get_attribute("href")
    assert href and href.startswith("/submissions/")
    page.goto(service + href)
    expect(page.locator("#panel")).to_have_attribute("data-final", "true")
    expect(page.locator("h1")).to_have_text("金华市某某局机关党委")
    page.screenshot(path=str(ARTIFACTS / "browser-submission.png"), full_page=True)
    assert errors == []
