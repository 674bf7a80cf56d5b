"""`dossier extract FILE [--campaign ID] --json` exactly as the contract says.

Exit 0 when the file was read (findings or not) and print one JSON object;
exit 2 when it could not be read at all (damaged, encrypted, empty, not a
document), with a Chinese and English message on stderr; exit 64 for usage
errors (no such file, unknown campaign).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 2, 64


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("extract", help="extract and check one file / 读取并检查一个文件",
                              description="Read one submission file, locate the campaign's fields, "
                                          "check them and print the result.")
    p.add_argument("file", type=Path, help="the file: .docx .doc .wps .rtf .pdf .jpg .png .tif .heic")
    p.add_argument("--campaign", help="campaign id (default: the campaign whose forms the file matches best)")
    p.add_argument("--campaigns-dir", type=Path, default=None, help="folder of campaign YAML files")
    p.add_argument("--json", action="store_true", help="print the contract's JSON (default: a readable summary)")
    p.set_defaults(func=run)
    return p


def _fail(code: int, zh: str, en: str) -> int:
    print(f"dossier extract: {zh}\ndossier extract: {en}", file=sys.stderr)
    return code


def _best_campaign(path: Path, campaigns: dict):
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


def _summary(result) -> str:
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


def run(args: argparse.Namespace) -> int:
    from dossier.campaigns import CampaignError, load_campaigns
    from workers.extract.readers import ReadError
    from workers.extraction import extract_file

    path: Path = args.file
    if not path.is_file():
        return _fail(EXIT_USAGE, f"找不到文件：{path}", f"no such file: {path}")
    try:
        campaigns = load_campaigns(args.campaigns_dir)
    except CampaignError as e:
        return _fail(EXIT_USAGE, "评选活动配置有误。", f"bad campaign file: {e}")
    if args.campaign:
        if args.campaign not in campaigns:
            known = ", ".join(sorted(campaigns))
            return _fail(EXIT_USAGE, f"未知的评选活动：{args.campaign}（已有：{known}）",
                         f"unknown campaign {args.campaign!r} (known: {known})")
        campaign = campaigns[args.campaign]
    else:
        try:
            campaign = _best_campaign(path, campaigns)
        except ReadError as e:
            return _fail(EXIT_UNREADABLE, e.message, e.detail or e.code)
    result = extract_file(path, campaign)
    if not result.readable:
        first = result.findings[0] if result.findings else None
        zh = first.message if first else "无法读取文件。"
        code = first.code if first else "file.unreadable"
        return _fail(EXIT_UNREADABLE, f"{zh}（{code}）", f"cannot read {path.name}: {result.error} ({code})")
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(_summary(result))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Standalone entry: `python -m services.extract_cli FILE ...`."""
    parser = argparse.ArgumentParser(prog="dossier")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["extract", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
