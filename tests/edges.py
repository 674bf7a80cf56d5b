"""Helpers for the tests of the edges (API, web, CLI, end-to-end, browser).

Not a conftest: the shared fixtures live in conftest.py; these are plain
functions and one context manager that runs the real `dossier` processes.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx

from dossier.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples"
ARTIFACTS = REPO / "test-artifacts"


def extraction_ready() -> bool:
    """Whether the lead's extraction module has landed (fields and findings are produced)."""
    return importlib.util.find_spec("workers.extraction") is not None


# ------------------------------------------------------------------ documents

def jinhua_form_docx(**overrides: str) -> bytes:
    """A jinhua-2015 推荐表 laid out like the seed's 附件1 (7 columns, merged cells), as a .docx.

    Built with python-docx so that the test controls every value: by default
    the form is complete except two points the checks must find: 三星级 (not
    eligible) and no seal image on 呈报单位党组织意见.
    """
    import docx

    v = {"filing_unit": "金华市某某局机关党委", "org_name": "中共金华市某某局机关支部委员会",
         "unit_category": "机关", "star_rating": "3星级", "site_type": "服务民生关爱群众",
         "member_count": "35人", "name": "张三", "gender": "男", "birth": "1975.3", "ethnicity": "汉族",
         "education": "大学", "position": "办公室主任", "joined": "1998.6", "since": "2012.1",
         "honors": "2014年获全市先进基层党组织",
         "deeds": "支部坚持“三会一课”制度，组织党员学习理论、开展志愿服务，推动业务工作。" * 30,
         "opinion": "情况属实，同意推荐。\n\n（盖章）\n2015年11月10日"}
    v.update(overrides)
    doc = docx.Document()
    doc.add_paragraph("附件1：")
    doc.add_paragraph("市县机关党建示范点推荐表")
    doc.add_paragraph(f"填报单位：{v['filing_unit']}")
    t = doc.add_table(rows=9, cols=7)
    t.style = "Table Grid"

    def put(r: int, c: int, text: str, to: int | None = None, down: int | None = None) -> None:
        cell = t.cell(r, c)
        if to is not None or down is not None:
            cell = cell.merge(t.cell(down if down is not None else r, to if to is not None else c))
        cell.text = text

    put(0, 0, "党组织名称", to=1); put(0, 2, v["org_name"], to=4); put(0, 5, "所在单位类别"); put(0, 6, v["unit_category"])
    put(1, 0, "评定星级", to=1); put(1, 2, v["star_rating"]); put(1, 3, "示范点类型"); put(1, 4, v["site_type"])
    put(1, 5, "党员人数"); put(1, 6, v["member_count"])
    put(2, 0, "党组织书记情况", down=4)
    put(2, 1, "姓名"); put(2, 2, v["name"]); put(2, 3, "性别"); put(2, 4, v["gender"]); put(2, 5, "出生年月"); put(2, 6, v["birth"])
    put(3, 1, "民族"); put(3, 2, v["ethnicity"]); put(3, 3, "学历"); put(3, 4, v["education"]); put(3, 5, "行政职务"); put(3, 6, v["position"])
    put(4, 1, "入党时间"); put(4, 2, v["joined"]); put(4, 3, "担任书记时间"); put(4, 4, v["since"], to=6)
    put(5, 0, "曾受表彰情况"); put(5, 1, v["honors"], to=6)
    put(6, 0, "主要创建事迹"); put(6, 1, v["deeds"], to=6)
    put(7, 0, "呈报单位党组织意见"); put(7, 1, v["opinion"], to=2)
    put(7, 3, "市直系统机关党委（党委）或县（市、区）直机关工委（直属机关党委）意见")
    put(7, 4, "\n\n（盖章）\n年  月  日"); put(7, 5, "市直机关工委意见"); put(7, 6, "\n\n（盖章）\n年  月  日")
    put(8, 0, "备注"); put(8, 1, "1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织。", to=6)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def zip_bomb_docx(inflated: int) -> bytes:
    """A .docx whose one extra member inflates to `inflated` bytes (zeros compress ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk) + 1):
                member.write(chunk)
    return buf.getvalue()


def damaged_docx() -> bytes:
    """The first half of a real .docx: a zip without its central directory."""
    good = jinhua_form_docx()
    return good[: len(good) // 2]


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 200

BAD_INPUTS: dict[str, tuple[bytes | Callable[[], bytes], str]] = {
    # name -> (bytes, the contract code the file must get)
    "空文件.docx": (b"", "file.unreadable"),
    "程序.docx": (EXE_BYTES, "file.unsupported"),
    "损坏.docx": (damaged_docx, "file.unreadable"),
}


# ------------------------------------------------------------------- polling

def wait_final(get_status: Callable[[], dict[str, Any]], timeout: float = 180.0) -> dict[str, Any]:
    """Poll the status until every file is final; the last status either way."""
    deadline = time.monotonic() + timeout
    status = get_status()
    while not status["summary"]["final"] and time.monotonic() < deadline:
        time.sleep(0.5)
        status = get_status()
    return status


def codes_by_name(status: dict[str, Any]) -> dict[str, set[str]]:
    return {f["name"]: {x["code"] for x in f["findings"]} for f in status["files"]}


# ------------------------------------------------------------ real processes

def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dossier_env(settings: Settings, **extra: str) -> dict[str, str]:
    from services.runner import settings_env

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(settings_env(settings))
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def dossier_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", *args]


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `dossier …` process, stopped with SIGINT (like Ctrl-C) at the end."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(dossier_cmd(*args), env=env, cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            _warn_on_restarts(log)


def _warn_on_restarts(log: Path) -> None:
    """A child that `dossier up` had to start again during a test is a bug to look into, even
    when the test passed: say so in pytest's warnings summary, with what the log held before it."""
    lines = log.read_text(errors="replace").splitlines()
    hits = [i for i, line in enumerate(lines) if "exited (" in line]
    if hits:
        before = "\n".join(lines[max(0, hits[0] - 40):hits[0] + 1])
        warnings.warn(f"{log.name}: {len(hits)} child exit(s) during the test:\n{before}", stacklevel=2)


def wait_http(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dossier exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"dossier did not answer in {timeout}s:\n{log.read_text(errors='replace')}")
