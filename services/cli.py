"""`dossier` command line: the one-command start, its parts, and `extract`.

Every subcommand imports what it needs only when it runs, so `dossier --help`
is fast and a machine without the OCR models can still serve the API.
Messages are English with the Chinese beside them (the design's rule for logs
and the CLI).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from dossier.settings import Settings, get_settings

EPILOG = """\
settings / 配置: environment variables DOSSIER_* (see README.md, "Settings"),
e.g. DOSSIER_DATABASE_URL, DOSSIER_BROKER_URL, DOSSIER_STORAGE_URL, DOSSIER_DATA_DIR.
Defaults are the embedded mode: SQLite + a folder + a filesystem broker under ./var.
"""


def _cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from services.runner import run_embedded

    return run_embedded(settings, host=args.host, port=args.port, concurrency=args.concurrency)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from services.runner import serve

    return serve(settings, host=args.host, port=args.port)


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from services.runner import run_worker

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    return run_worker(settings, queues=queues, concurrency=args.concurrency, pool=args.pool)


def _cmd_relay(args: argparse.Namespace, settings: Settings) -> int:
    from services.runner import run_relay

    return run_relay(settings, once=args.once)


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from services.runner import migrate

    migrate(settings)
    print("database is up to date / 数据库已是最新结构")
    return 0


def _cmd_campaigns(args: argparse.Namespace, settings: Settings) -> int:
    from dossier.campaigns import load_campaigns

    campaigns = load_campaigns()
    if args.json:
        print(json.dumps([{"id": c.id, "title": c.title,
                           "deadline": c.deadline.isoformat() if c.deadline else None,
                           "documents": [{"kind": d.kind, "title": d.title, "required": d.required}
                                         for d in c.documents]}
                          for c in campaigns.values()], ensure_ascii=False, indent=2))
        return 0
    for c in campaigns.values():
        deadline = c.deadline.isoformat() if c.deadline else "-"
        docs = "、".join(d.title for d in c.documents)
        print(f"{c.id}\t{c.title}\t截止 deadline {deadline}\t{docs}")
    return 0


def _cmd_packet(args: argparse.Namespace, settings: Settings) -> int:
    """One submission's dossier PDF, compiled now."""
    from services.packets import submission_dossier
    from services.submissions import DomainError
    from storage.db import make_engine, make_sessionmaker
    from storage.objects import open_store

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                d = submission_dossier(session, open_store(settings), settings, args.submission_id)
            except DomainError as e:
                print(f"{e.detail or e.code} / {e.message}", file=sys.stderr)
                return 1
        _write(args.output, d.pdf)
        print(f"wrote {args.output}: {d.pages} pages ({d.generated_pages} generated, "
              f"{len(d.original_pages)} original(s)) / 已生成申报材料汇编")
        if d.not_converted:
            print(f"{len(d.not_converted)} original(s) could not be converted and are attached instead / "
                  f"{len(d.not_converted)} 份原件无法转换，已作为附件嵌入", file=sys.stderr)
        return 0
    finally:
        engine.dispose()


def _cmd_summary(args: argparse.Namespace, settings: Settings) -> int:
    """The campaign's 汇总表 as XLSX (and, with --pdf, as PDF), compiled now."""
    from services.packets import campaign_summary
    from services.submissions import DomainError
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                xlsx, pdf, n = campaign_summary(session, settings, args.campaign_id)
            except DomainError as e:
                print(f"{e.detail or e.code} / {e.message}", file=sys.stderr)
                return 1
        _write(args.output, xlsx)
        if args.pdf:
            _write(args.pdf, pdf)
        print(f"wrote {args.output}{' and ' + args.pdf if args.pdf else ''}: {n} submission(s) / 已生成汇总表")
        return 0
    finally:
        engine.dispose()


def _write(path: str, data: bytes) -> None:
    from pathlib import Path

    Path(path).write_bytes(data)


def _extract_module():  # type: ignore[no-untyped-def]
    """The lead's `services.extract_cli`, or None while it has not landed."""
    try:
        import services.extract_cli as mod
    except ImportError:
        return None
    return mod


def _add_extract(sub: argparse._SubParsersAction) -> None:
    mod = _extract_module()
    add = getattr(mod, "add_extract_parser", None) or getattr(mod, "add_parser", None)
    if add is not None:
        add(sub)
        return
    p = sub.add_parser("extract", help="read one file and print its fields and findings / 读取一个文件，输出字段与问题",
                       description="Read one submission file and print the contract JSON. / "
                                   "读取一个申报文件，按接口约定输出 JSON。")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--campaign", metavar="ID", help="campaign id, e.g. jinhua-2015 / 评选活动编号")
    p.add_argument("--json", action="store_true", help="print JSON (the default and only output) / 输出 JSON")


def _cmd_extract(args: argparse.Namespace, settings: Settings, argv: Sequence[str]) -> int:
    mod = _extract_module()
    if mod is None:
        print("extraction is not installed / 未安装抽取模块 (services.extract_cli)", file=sys.stderr)
        return 2
    run = getattr(mod, "run_extract", None) or getattr(mod, "run", None)
    if run is not None:
        return int(run(args))
    # the module only offers main(argv): hand it the arguments after `extract`
    rest = list(argv)[list(argv).index("extract") + 1:]
    return int(mod.main(rest))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="dossier: submissions for 党建示范 award campaigns — upload, extract, check. / "
                    "党建示范评选申报材料的上传、识别与检查。")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("up", help="embedded start: migrate, API, worker, relay / 一键启动（内嵌模式）")
    p.add_argument("--host", default=None, help="API host (DOSSIER_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="API port (DOSSIER_PORT, default 8000)")
    p.add_argument("--concurrency", type=int, default=2, help="worker processes / 工作进程数")

    p = sub.add_parser("serve", help="HTTP API and web page only / 仅启动网页与接口")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)

    p = sub.add_parser("worker", help="a Celery worker for some queues / 启动处理队列的工作进程")
    p.add_argument("--queues", default=None,
                   help="comma-separated, e.g. ingest,extract (default: all) / 队列名，逗号分隔")
    p.add_argument("--concurrency", type=int, default=None)
    p.add_argument("--pool", default=None, help="celery pool: prefork, solo, threads")

    p = sub.add_parser("relay", help="publish the outbox to the broker / 将待发消息投递到队列")
    p.add_argument("--once", action="store_true", help="drain once and exit / 投递一轮后退出")

    sub.add_parser("migrate", help="create or upgrade the database / 创建或升级数据库")

    p = sub.add_parser("campaigns", help="list the campaigns / 列出评选活动")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("packet", help="one submission's dossier as PDF / 生成一份申报的材料汇编 PDF")
    p.add_argument("submission_id", metavar="SUBMISSION_ID")
    p.add_argument("-o", "--output", required=True, help="the PDF to write / 输出的 PDF 文件")

    p = sub.add_parser("summary", help="a campaign's 汇总表 as XLSX / 生成评选活动汇总表")
    p.add_argument("campaign_id", metavar="CAMPAIGN_ID")
    p.add_argument("-o", "--output", required=True, help="the XLSX to write / 输出的 Excel 文件")
    p.add_argument("--pdf", metavar="FILE", help="also write it as PDF (landscape A4) / 同时输出 PDF")

    _add_extract(sub)
    from services.auth.cli import add_user_parser
    add_user_parser(sub)
    from services.lists_cli import add_lists_parser
    add_lists_parser(sub)
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "up": _cmd_up, "serve": _cmd_serve, "worker": _cmd_worker, "relay": _cmd_relay,
    "migrate": _cmd_migrate, "campaigns": _cmd_campaigns, "packet": _cmd_packet, "summary": _cmd_summary,
}


def _cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    from services.auth.cli import run_user

    return run_user(args, settings)


COMMANDS["user"] = _cmd_user


def _cmd_lists(args: argparse.Namespace, settings: Settings) -> int:
    from services.lists_cli import run_lists

    return run_lists(args, settings)


COMMANDS["lists"] = _cmd_lists


def _load_campaigns(settings: Settings) -> None:
    """Read the campaign and holiday files once, now: a broken one is reported before anything starts."""
    from dossier.campaign_registry import configure
    from workers.routing import calendar
    configure(settings.campaigns_dir, refresh_seconds=settings.campaigns_refresh_seconds)
    calendar.configure(settings.holidays_dir)     # the holiday files likewise


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    settings = settings or get_settings()
    if args.command == "extract":
        return _cmd_extract(args, settings, argv)
    try:
        _load_campaigns(settings)
    except ValueError as e:    # CampaignError: a broken campaign file stops the start, with its path and line
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # `python -m services.cli`, used by the embedded runner
    sys.exit(main())
