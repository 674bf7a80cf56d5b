"""The inbox as a person uses it, in headless Chromium at a desktop (1366×900) and a phone (375×812)
width: the unread count in the header, the message with its link, 标为已读, the email setting.
No code, English key or UTC on screen; axe-core (npm) finds no serious or critical violation.
Screenshots: test-artifacts/pages-inbox-*.png."""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from dossier.settings import Settings
from services.auth import accounts
from services.review import flow, queue
from storage.db import make_engine, make_sessionmaker, migrate
from tests.edges import ARTIFACTS, dossier_env, free_port, running, wait_http
from tests.page_checks import CHROMIUM, SIZES, check_page
from tests.review_helpers import PASSWORD, submission

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`dossier serve` on a database where the bureau returned one unit's submission (per width)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not at {CHROMIUM}")
    tmp = tmp_path_factory.mktemp("inbox")
    port = free_port()
    settings = Settings(data_dir=tmp / "var", port=port)
    engine = make_engine(settings)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        bureau = accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer",
                                      stage_id="bureau_review")
        for size in SIZES:
            org = f"{size}局机关党支部"
            accounts.create_user(s, username=f"unit-{size}", password=PASSWORD, role="unit", organisation=org)
            sid = submission(s, "yueyang-2017", org)
            flow.start_review(s, None, sid)
            task = queue.claim_next(s, bureau, lease_seconds=600)
            assert task is not None
            flow.decide(s, bureau, task.id, "return", {"reasons": "简介材料超过1500字，请删减后重新提交。"})
    engine.dispose()
    log = ARTIFACTS / "logs" / f"inbox-serve-{port}.log"
    with running(["serve", "--port", str(port)], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield {"base": base}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def _check(page: Any, name: str) -> None:
    check_page(page, f"inbox-{name}")     # the checks every page passes (tests/page_checks.py)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_inbox_in_a_browser(service: dict[str, str], browser: Any, size: str) -> None:
    """GIVEN a unit whose submission was returned WHEN it logs in THEN the header says 1 unread;
    /inbox shows the reasons with a link to the submission; 标为已读 clears the count; unticking
    email and saving says so."""
    from playwright.sync_api import expect

    w, h = SIZES[size]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": w, "height": h}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(service["base"] + "/login")
    page.fill("input[name=username]", f"unit-{size}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#unread-count")).to_have_text("1")
    page.click("#inbox-link")
    expect(page.locator(".notification.unread")).to_contain_text("简介材料超过1500字")
    assert page.locator(".notification a", has_text="查看").get_attribute("href").startswith("/submissions/")
    _check(page, f"{size}-unread")
    page.click(".notification.unread button:has-text('标为已读')")
    expect(page.locator(".flash")).to_contain_text("已标为已读")
    expect(page.locator("#unread-count")).to_have_count(0)
    page.fill("#email-settings input[name=email]", f"{size}@example.org")
    page.uncheck("#email-settings input[name=email_enabled]")
    page.click("#email-settings button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("邮件提醒设置已保存")
    expect(page.locator("#email-settings input[name=email_enabled]")).not_to_be_checked()
    _check(page, f"{size}-read")
    ctx.close()
