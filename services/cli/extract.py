"""`dossier extract FILE [--campaign ID] --json` exactly as the contract says, and `dossier extract DIR`.

One file: exit 0 when the file was read (findings or not) and print one JSON object; exit 2 when it
could not be read at all (damaged, encrypted, empty, not a document), with a Chinese and English message
on stderr; exit 64 for usage errors (no such file, unknown campaign). The JSON goes to stdout and
nothing else does: `../shared/tools/score.py` and scripts parse it.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import Command, say

EXIT_OK, EXIT_SOME_UNREAD, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 64

HELP = """Read one submission file, locate the campaign's fields, check them and print the result.
读取一个申报文件，定位评选活动的字段，检查并输出结果。

\b
FILE: exit 0 when the file was read (findings or not); 2 when it cannot be read at all
      (a Chinese and English message on stderr); 64 no such file or unknown campaign.
DIR:  every document in the folder (--recursive: and its subfolders), one row per file in a
      table, or with --json one JSON line per file; progress on stderr.
      Exit 0 when every file was read, 1 when some could not be read, 2 when none could,
      64 no such folder, no document in it, or unknown campaign.
      Files that are no document by their bytes nor by their name (README, *.json) are skipped.
"""


def register(app: typer.Typer) -> None:
    app.command("extract", cls=Command, help=HELP,
                short_help="extract and check one file or a folder / 读取并检查一个文件或文件夹")(extract)


def extract(path: Annotated[Path, typer.Argument(
                metavar="FILE|DIR", help="the file: .docx .doc .wps .rtf .pdf .jpg .png .tif .heic, or a folder of them")],
            campaign: Annotated[str | None, typer.Option(
                help="campaign id (default: the campaign whose forms the file matches best)")] = None,
            campaigns_dir: Annotated[Path | None, typer.Option(help="folder of campaign YAML files")] = None,
            as_json: Annotated[bool, typer.Option(
                "--json", help="print the contract's JSON (default: a readable summary; "
                               "for a folder, one JSON line per file)")] = False,
            recursive: Annotated[bool, typer.Option(
                "--recursive", "-r", help="a folder's subfolders too / 包括子文件夹")] = False) -> int:
    if path.is_dir():
        from .batch import run_batch

        campaigns = _campaigns(campaigns_dir, campaign)
        return campaigns if isinstance(campaigns, int) else run_batch(path, campaigns, campaign, as_json, recursive)
    if not path.is_file():
        return fail(EXIT_USAGE, f"找不到文件：{path}", f"no such file: {path}")
    campaigns = _campaigns(campaigns_dir, campaign)
    if isinstance(campaigns, int):
        return campaigns
    outcome = extract_one(path, campaigns, campaign)
    if outcome.result is None:
        return fail(outcome.exit_code, outcome.zh, outcome.en)
    if as_json:
        json.dump(outcome.result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_summary(outcome.result))
    return EXIT_OK


def fail(code: int, zh: str, en: str) -> int:
    say(f"dossier extract: {zh}\ndossier extract: {en}")
    return code


def _campaigns(folder: Path | None, wanted: str | None) -> dict[str, Any] | int:
    """The campaigns, or the exit code of a usage error already said on stderr."""
    from dossier.campaigns import CampaignError, load_campaigns

    try:
        campaigns = load_campaigns(folder)
    except CampaignError as e:
        return fail(EXIT_USAGE, "评选活动配置有误。", f"bad campaign file: {e}")
    if wanted and wanted not in campaigns:
        known = ", ".join(sorted(campaigns))
        return fail(EXIT_USAGE, f"未知的评选活动：{wanted}（已有：{known}）",
                    f"unknown campaign {wanted!r} (known: {known})")
    return campaigns


@dataclass
class Outcome:
    """One file's extraction: its result when read, else the exit code and the message."""
    result: Any = None
    exit_code: int = EXIT_OK
    zh: str = ""
    en: str = ""


def extract_one(path: Path, campaigns: dict[str, Any], wanted: str | None) -> Outcome:
    from workers.extract.readers import ReadError
    from workers.extraction import extract_file

    if wanted:
        campaign = campaigns[wanted]
    else:
        try:
            campaign = _best_campaign(path, campaigns)
        except ReadError as e:
            return Outcome(exit_code=EXIT_UNREADABLE, zh=e.message, en=f"cannot read {path.name}: {e.detail or e.code}")
    result = extract_file(path, campaign)
    if not result.readable:
        first = result.findings[0] if result.findings else None
        zh = first.message if first else "无法读取文件。"
        code = first.code if first else "file.unreadable"
        return Outcome(exit_code=EXIT_UNREADABLE, zh=f"{zh}（{code}）",
                       en=f"cannot read {path.name}: {result.error} ({code})")
    return Outcome(result=result)


def _best_campaign(path: Path, campaigns: dict[str, Any]) -> Any:
    """Try every campaign; keep the one whose documents and fields are found most."""
    from workers.extract.readers import ReadContext
    from workers.extract.sniff import sniff
    from workers.extraction import analyse, read_document

    sniffed = sniff(path)
    if sniffed.format is None:
        return next(iter(campaigns.values()))
    doc = read_document(path, ReadContext(name=path.name, format=sniffed.format))
    best, best_score = None, -1
    for c in campaigns.values():
        documents, _ = analyse(doc, c)
        score = sum(1 for d in documents for v in d.fields.values() if v.value not in ("", None))
        if score > best_score:
            best, best_score = c, score
    return best


def _summary(result: Any) -> str:
    lines = [f"{result.file.name}  {result.file.method or '-'}  {result.file.pages} 页  campaign {result.campaign}"]
    for d in result.documents:
        lines.append(f"[{d.kind}]")
        for k, v in d.fields.items():
            val = str(v.value)
            lines.append(f"  {k:<28} {val[:60] + ('…' if len(val) > 60 else '')}")
        for k, n in d.counts.items():
            lines.append(f"  字数 {k}: {n}")
    for f in result.findings:
        lines.append(f"{f.severity:<7} {f.code:<24} {f.field or '':<24} {f.message}")
    return "\n".join(lines)
