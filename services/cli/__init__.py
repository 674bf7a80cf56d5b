"""`dossier` command line (Typer): the one-command start, its parts, extraction, packets, accounts.

One module per command group — `server` (up, serve, worker, relay, migrate, campaigns), `extract` and
`batch`, `packets` (packet, summary), `lists`, `users` — each registered on the app here. Messages are
English with the Chinese beside them (the design's rule for logs and the CLI); stdout carries what
scripts read, stderr what people read (progress, errors).
"""
from __future__ import annotations

import sys
from typing import Sequence

import typer
from typer import _click as click   # Typer 0.2x carries its own click: its errors are these

from dossier.settings import Settings

from . import extract, lists, packets, server, users
from .common import new_app

EPILOG = """\b
settings / 配置: environment variables DOSSIER_* (see README.md, "Settings"),
e.g. DOSSIER_DATABASE_URL, DOSSIER_BROKER_URL, DOSSIER_STORAGE_URL, DOSSIER_DATA_DIR.
Defaults are the embedded mode: SQLite + a folder + a filesystem broker under ./var.
"""

app = new_app(help="dossier: submissions for 党建示范 award campaigns — upload, extract, check. / "
                   "党建示范评选申报材料的上传、识别与检查。", epilog=EPILOG)
for group in (server, packets, extract, users, lists):
    group.register(app)


def command() -> click.Command:
    """The click command behind the app (what `main` runs; tests walk its parameters)."""
    return typer.main.get_command(app)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command and return its exit status; `settings` replaces the environment's (tests)."""
    args = list(sys.argv[1:] if argv is None else argv)
    cmd = command()
    if not args:   # no command: the help, on stdout, and the usage error's status
        with cmd.make_context("dossier", ["--help"], resilient_parsing=True) as ctx:
            click.echo(cmd.get_help(ctx))
        return 2
    try:
        result = cmd.main(args, prog_name="dossier", standalone_mode=False, obj=settings)
    except click.exceptions.NoArgsIsHelpError as e:   # `dossier user`: the group's help, a usage error
        click.echo(e.ctx.get_help() if e.ctx else str(e), err=True)
        return 2
    except click.ClickException as e:     # usage errors: exit 2 with click's message, as argparse did
        e.show()
        return e.exit_code
    except typer.Abort:
        click.echo("Aborted / 已取消", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
