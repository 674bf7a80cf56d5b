"""`dossier extract FILE [--campaign ID] --json` exactly as the contract says, and `dossier extract DIR`.

One file: exit 0 when the file was read (findings or not) and print one JSON object; exit 2 when it
could not be read at all (damaged, encrypted, empty, not a document), with a Chinese and English message
on stderr; exit 64 for usage errors (no such file, unknown campaign). The JSON goes to stdout and
nothing else does: `../shared/tools/score.py` and scripts parse it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .batch import run_batch
from .common import Command
from .reading import EXIT_OK, EXIT_USAGE, extract_one, fail

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
