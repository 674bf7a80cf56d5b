"""The pages' live parts, driven by htmx under the pages' own CSP, in headless Chromium against a
running `dossier serve`: the desk's lease renews itself and shows its new expiry, says in Chinese when
the task was taken away and then stops; 续期 works without JavaScript; /ops refreshes its live region
in place, not while the tab is hidden, and at once when it is shown again."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dossier.settings import Settings
from services.auth import accounts
from storage.db import make_engine, make_sessionmaker, migrate
from tests.edges import ARTIFACTS, dossier_env, free_port, running, wait_http
from tests.page_checks import chromium_browser
from tests.review_helpers import PASSWORD, at_joint_review

pytestmark = pytest.mark.browser

LEASE_SECONDS = 15          # the desk renews every 5 s (a third of the lease, at least 5 s)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    settings = Settings(data_dir=tmp / "var", port=port, review_lease_seconds=LEASE_SECONDS)
    engine = make_engine(settings)
    migrate(engine)
    with make_sessionmaker(engine)() as s:
        accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        for name, dept in (("zfw", "政法委"), ("jw", "纪委")):
            accounts.create_user(s, username=name, password=PASSWORD, role="reviewer",
                                 stage_id="joint_review_county", department=dept)
        at_joint_review(s)         # one task for each department
    engine.dispose()
    log = ARTIFACTS / "logs" / f"live-dossier-serve-{port}.log"
    with running(["serve", "--port", str(port)], dossier_env(settings), log) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_http(base, proc, log)
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


class Watched:
    """A logged-in page (the pages' CSP in force) with what went wrong in it: script errors and CSP refusals."""

    def __init__(self, browser: Any, base: str, username: str, *, javascript: bool = True) -> None:
        self.page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                        java_script_enabled=javascript).new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("console", lambda m: self.problems.append(m.text)
                     if m.type == "error" and "Content Security Policy" in m.text else None)
        self.htmx: list[str] = []      # the requests htmx made (it sends HX-Request)
        self.page.on("request", lambda r: self.htmx.append(r.url) if r.headers.get("hx-request") else None)
        self.page.goto(base + "/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.page.context.close()


def _claim(w: Watched) -> None:
    from playwright.sync_api import expect

    w.page.click("#claim-next")
    expect(w.page.locator("h1")).to_contain_text("县（市、区）部门联审")
    expect(w.page.locator("#lease time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))


def test_the_lease_renews_itself_shows_its_expiry_and_says_when_it_is_lost(service: str, browser: Any) -> None:
    """GIVEN a reviewer at the desk of a claimed task WHEN the page stays open in use THEN the expiry shown
    moves on by itself; WHEN the task is put back behind the page THEN the widget says why in Chinese and
    renews no more."""
    from playwright.sync_api import expect

    w = Watched(browser, service, "zfw")
    page = w.page
    _claim(w)
    lease = page.locator("#lease")
    first = lease.locator("time").inner_text()
    page.evaluate("window.__same_page = true")          # gone if the page were reloaded
    page.mouse.move(300, 300)                            # at work: the renewals are not held back
    expect(lease.locator("time")).not_to_have_text(first, timeout=4 * 5_000)
    assert page.evaluate("window.__same_page === true")
    expect(lease).not_to_have_class(re.compile("error"))
    assert any("/lease" in u for u in w.htmx)

    # the task goes back to the pool behind the page's back (as a lapsed lease or an admin would do)
    csrf = lease.locator("input[name=csrf_token]").input_value()
    task_url = page.url
    released = page.request.post(task_url + "/release", form={"csrf_token": csrf}, max_redirects=0)
    assert released.status == 303
    page.mouse.move(320, 320)
    expect(lease).to_have_class(re.compile("error"), timeout=4 * 5_000)
    expect(lease.locator(".state")).to_contain_text("续期失败：请先领取这个任务再操作")
    expect(lease.locator("a[href='/review']")).to_have_text("返回任务列表")
    assert lease.get_attribute("hx-trigger") is None
    asked = len([u for u in w.htmx if "/lease" in u])
    page.mouse.move(340, 340)
    page.wait_for_timeout(6_000 + 1_000)                 # longer than one renewal interval
    assert len([u for u in w.htmx if "/lease" in u]) == asked
    assert page.evaluate("window.__same_page === true")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-lease-lost.png"), full_page=True)
    assert w.problems == []
    w.close()


def test_the_lease_is_renewed_by_hand_without_javascript(service: str, browser: Any) -> None:
    """GIVEN JavaScript off WHEN the reviewer presses 续期 THEN the desk comes back with a later expiry."""
    from playwright.sync_api import expect

    w = Watched(browser, service, "jw", javascript=False)
    page = w.page
    _claim(w)
    first = page.locator("#lease time").inner_text()
    page.wait_for_timeout(1_100)                         # the expiry is shown to the second
    page.click("#lease button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("县（市、区）部门联审")
    expect(page.locator("#lease time")).not_to_have_text(first)
    assert w.htmx == []
    w.close()


def test_ops_refreshes_its_live_region_in_place_and_waits_while_hidden(service: str, browser: Any) -> None:
    """GIVEN the operator's /ops WHEN the tab is hidden THEN nothing is fetched for longer than its 15 s;
    WHEN it is shown again THEN the live region is fetched and swapped in at once, the page not reloaded."""
    from playwright.sync_api import expect

    w = Watched(browser, service, "admin")
    page = w.page
    page.goto(service + "/ops")
    expect(page.locator("#live")).to_contain_text("数据时间")
    page.evaluate("""() => { window.__same_page = true; document.getElementById('live').__old = true;
      Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
      document.dispatchEvent(new Event('visibilitychange')); }""")
    page.wait_for_timeout(16_000)
    assert [u for u in w.htmx if "/ops" in u] == []
    assert page.evaluate("document.getElementById('live').__old === true")
    page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {configurable: true,
      get: () => 'visible'}); document.dispatchEvent(new Event('visibilitychange')); }""")
    page.wait_for_function("() => document.getElementById('live') && !document.getElementById('live').__old",
                           timeout=10_000)
    assert [u for u in w.htmx if "/ops" in u]
    assert page.evaluate("window.__same_page === true")
    expect(page.locator("#live")).to_contain_text("数据时间")
    expect(page.locator("#live")).to_have_count(1)        # swapped, not nested in the old one
    assert page.locator("h1").count() == 1
    assert w.problems == []
    w.close()
