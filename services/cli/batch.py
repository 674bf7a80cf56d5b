"""`dossier extract DIR`: every document in a folder, one row of a table (or one JSON line) per file.

Exit 0 when every file was read (findings or not), 1 when some could not be read, 2 when none could,
64 when the folder holds no document (a usage error, like a missing file)."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .progress import Steps
from .reading import EXIT_OK, EXIT_SOME_UNREAD, EXIT_UNREADABLE, EXIT_USAGE, Outcome, extract_one, fail


@dataclass
class Row:
    """One file of the batch: where it is, what it is, and how its reading went."""
    path: str
    format: str
    seconds: float
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def read(self) -> bool:
        return self.outcome.result is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "status": "read" if self.read else "unreadable",
                               "seconds": round(self.seconds, 2)}
        if self.read:
            out["result"] = self.outcome.result.to_json()
        else:
            out["exit"] = self.outcome.exit_code
            out["error"] = {"zh": self.outcome.zh, "en": self.outcome.en}
        return out


def documents_in(folder: Path, recursive: bool) -> tuple[list[Path], list[Path]]:
    """The folder's documents, and the files skipped: hidden ones, Word's lock files (~$名称.docx, left
    while a file is open, never a submission), and those no document by their bytes nor by their name."""
    from workers.extract.sniff import MEDIA_TYPES, sniff

    suffixes = {f".{k}" for k in MEDIA_TYPES} | {".jpg", ".tif"}
    found, skipped = [], []
    for p in sorted(folder.rglob("*") if recursive else folder.iterdir()):
        rel = p.relative_to(folder)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        if p.name.startswith((".", "~$")) or (p.suffix.lower() not in suffixes and sniff(p).format is None):
            skipped.append(p)
        else:
            found.append(p)
    return found, skipped


def run_batch(folder: Path, campaigns: dict[str, Any], wanted: str | None, as_json: bool, recursive: bool) -> int:
    files, skipped = documents_in(folder, recursive)
    if skipped:
        names = ", ".join(str(p.relative_to(folder)) for p in skipped[:10]) + (" …" if len(skipped) > 10 else "")
        print(f"skipped {len(skipped)} file(s) that are no documents / 跳过 {len(skipped)} 个非申报文件: {names}",
              file=sys.stderr)
    if not files:
        return fail(EXIT_USAGE, f"文件夹中没有可读取的申报文件：{folder}", f"no document in {folder}")
    rows = []
    with Steps(f"reading {len(files)} file(s) / 读取 {len(files)} 个文件", total=len(files)) as steps:
        for path in files:
            row = _read(path, folder, campaigns, wanted)
            rows.append(row)
            if as_json:    # one line per file as soon as it is read: a script can follow along
                print(json.dumps(row.to_json(), ensure_ascii=False), flush=True)
            steps.advance(row.path, "" if row.read else row.outcome.zh)
    if not as_json:
        _table(rows)
    unread = sum(1 for r in rows if not r.read)
    print(f"{len(rows) - unread} read, {unread} could not be read / 已读取 {len(rows) - unread} 个，"
          f"{unread} 个无法读取", file=sys.stderr)
    return EXIT_OK if unread == 0 else EXIT_UNREADABLE if unread == len(rows) else EXIT_SOME_UNREAD


def _read(path: Path, folder: Path, campaigns: dict[str, Any], wanted: str | None) -> Row:
    from workers.extract.sniff import sniff

    started = time.monotonic()
    try:
        outcome = extract_one(path, campaigns, wanted)
    except Exception as e:     # one file's crash is that file's row: the others are still read
        outcome = Outcome(exit_code=EXIT_UNREADABLE, zh="读取时出错，请联系管理员。", en=f"crashed: {e!r}")
    return Row(path=str(path.relative_to(folder)), format=sniff(path).format or "-",
               seconds=time.monotonic() - started, outcome=outcome)


def _table(rows: list[Row]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    # the name folds rather than losing its end (the end tells the files apart); figures never wrap
    table.add_column("file\n文件", overflow="fold", min_width=16)
    for name in ("format", "method", "fields\n字段", "errors\n错误", "warnings\n提醒"):
        table.add_column(name, no_wrap=True, justify="right" if "\n" in name else "left")
    table.add_column("字数")
    table.add_column("s\n秒", no_wrap=True, justify="right")
    unread = []
    for r in rows:
        res = r.outcome.result
        if res is None:
            table.add_row(r.path, r.format, "unreadable", "-", "-", "-", "-", f"{r.seconds:.1f}")
            unread.append(f"{r.path}: {r.outcome.zh} / {r.outcome.en}")
            continue
        values = [v.value for d in res.documents for v in d.fields.values()]
        found = sum(1 for v in values if v not in ("", None))
        severities = [f.severity for f in res.findings]
        counts = ", ".join(f"{k} {n}" for d in res.documents for k, n in d.counts.items()) or "-"
        table.add_row(r.path, r.format, res.file.method or "-", f"{found}/{len(values)}",
                      str(severities.count("error")), str(severities.count("warning")), counts, f"{r.seconds:.1f}")
    # a table piped to a file or a pager keeps its width instead of folding at 80 columns
    console = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    console.print(table)
    for line in unread:     # the reasons under the table: a column for them would squeeze the rest
        console.print(line, markup=False)
