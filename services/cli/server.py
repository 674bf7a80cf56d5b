"""Running the service: `up`, `serve`, `worker`, `relay`, `migrate`, and `campaigns`.

Each imports what it needs only when it runs, so `dossier --help` is fast and a machine without the
OCR models can still serve the API."""
from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from .common import Command, ready

HostOpt = Annotated[Optional[str], typer.Option(help="API host (DOSSIER_HOST, default 127.0.0.1)")]
PortOpt = Annotated[Optional[int], typer.Option(help="API port (DOSSIER_PORT, default 8000)")]


def register(app: typer.Typer) -> None:
    app.command("up", cls=Command, help="embedded start: migrate, API, worker, relay / 一键启动（内嵌模式）")(up)
    app.command("serve", cls=Command, help="HTTP API and web page only / 仅启动网页与接口")(serve)
    app.command("worker", cls=Command, help="a Celery worker for some queues / 启动处理队列的工作进程")(worker)
    app.command("relay", cls=Command, help="publish the outbox to the broker / 将待发消息投递到队列")(relay)
    app.command("migrate", cls=Command, help="create or upgrade the database / 创建或升级数据库")(migrate)
    app.command("campaigns", cls=Command, help="list the campaigns / 列出评选活动")(campaigns)


def up(ctx: typer.Context, host: HostOpt = None, port: PortOpt = None,
       concurrency: Annotated[int, typer.Option(help="worker processes / 工作进程数")] = 2) -> int:
    from services.runner import run_embedded

    return run_embedded(ready(ctx), host=host, port=port, concurrency=concurrency)


def serve(ctx: typer.Context, host: HostOpt = None, port: PortOpt = None) -> int:
    from services.runner import serve as serve_api

    return serve_api(ready(ctx), host=host, port=port)


def worker(ctx: typer.Context,
           queues: Annotated[Optional[str], typer.Option(
               help="comma-separated, e.g. ingest,extract (default: all) / 队列名，逗号分隔")] = None,
           concurrency: Annotated[Optional[int], typer.Option()] = None,
           pool: Annotated[Optional[str], typer.Option(help="celery pool: prefork, solo, threads")] = None) -> int:
    from services.runner import run_worker

    names = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    return run_worker(ready(ctx), queues=names, concurrency=concurrency, pool=pool)


def relay(ctx: typer.Context,
          once: Annotated[bool, typer.Option("--once", help="drain once and exit / 投递一轮后退出")] = False) -> int:
    from services.runner import run_relay

    return run_relay(ready(ctx), once=once)


def migrate(ctx: typer.Context) -> int:
    from services.runner import migrate as migrate_db

    migrate_db(ready(ctx))
    print("database is up to date / 数据库已是最新结构")
    return 0


def campaigns(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> int:
    from dossier.campaigns import load_campaigns

    ready(ctx)
    found = load_campaigns()
    if as_json:
        print(json.dumps([{"id": c.id, "title": c.title,
                           "deadline": c.deadline.isoformat() if c.deadline else None,
                           "documents": [{"kind": d.kind, "title": d.title, "required": d.required}
                                         for d in c.documents]}
                          for c in found.values()], ensure_ascii=False, indent=2))
        return 0
    for c in found.values():
        deadline = c.deadline.isoformat() if c.deadline else "-"
        docs = "、".join(d.title for d in c.documents)
        print(f"{c.id}\t{c.title}\t截止 deadline {deadline}\t{docs}")
    return 0
