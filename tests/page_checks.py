"""What every page a person reads must pass, for the browser tests: no code, English key or UTC on
screen, and no serious or critical axe-core violation (axe from npm, node_modules/axe-core, injected
by Playwright; the page's context must bypass CSP, since axe goes in as an inline script)."""
from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.edges import ARTIFACTS, REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# axe is injected as an inline script: the contexts bypass the pages' CSP (script-src 'self')
SIZES = {"desktop": (1366, 900), "phone": (375, 812)}
# text a person should never read: dotted codes (field.missing), snake_case ids (bureau_review), UTC
CODE = re.compile(r"[a-z_]+\.[a-z_]+|[a-z]+_[a-z]+|UTC")

VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode, el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest('script,style,template,[hidden]')) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    out.push(n.textContent.trim());
  }
  return out;
}"""


def check_page(page: Any, name: str, *, codes_allowed: bool = False) -> None:
    """The screenshot (test-artifacts/pages-NAME.png), no code on screen, and axe's serious or critical
    violations: none.  Without node or axe-core only the first two (test_pages_browser says why)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"pages-{name}.png"), full_page=True)
    if not codes_allowed:
        codes = [t for t in page.evaluate(VISIBLE_TEXT) if CODE.search(t)]
        assert codes == [], f"{name}: codes on screen: {codes}"
    if shutil.which("node") is None or not AXE.exists():
        return
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}))")
    assert found == [], f"{name}: axe: {json.dumps(found, ensure_ascii=False)}"




@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, for a test that opens contexts of its own (another size, no
    JavaScript); the test skips where there is none."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(width: int = 1100, height: int = 900) -> Iterator[Any]:
    """A page in Debian's Chromium, zh-CN, at the given size; the test skips where there is none."""
    with chromium_browser() as browser:
        yield browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}).new_page()
