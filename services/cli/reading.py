"""Reading one file for `dossier extract`, the same for one FILE and for each file of a DIR
(services/cli/batch.py): the exit codes of the contract, the outcome, and the campaign whose
forms a file matches best when none is named."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import say

EXIT_OK, EXIT_SOME_UNREAD, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 64


def fail(code: int, zh: str, en: str) -> int:
    say(f"dossier extract: {zh}\ndossier extract: {en}")
    return code


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
