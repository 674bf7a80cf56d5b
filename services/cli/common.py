"""What every command shares: the settings handed to `main`, the campaign files read once, the help
layout, and the messages on stderr (English with the Chinese beside it)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from typer import _click as click   # Typer 0.2x carries its own click: its Context, formatter, errors
from typer.core import TyperCommand, TyperGroup

from dossier.settings import Settings, get_settings


class _Formatter(click.HelpFormatter):
    """Four-space indents, as the argparse help had: scripts and people grep `    extract`."""

    def __init__(self, indent_increment: int = 4, width: int | None = None, max_width: int | None = None) -> None:
        super().__init__(indent_increment=indent_increment, width=width, max_width=max_width or 100)


class _Context(click.Context):
    formatter_class = _Formatter


class Group(TyperGroup):
    context_class = _Context


class Command(TyperCommand):
    context_class = _Context


def new_app(**kwargs: Any) -> typer.Typer:
    """A Typer (sub)app with plain help (no rich panels: the help is read by people and by grep alike)."""
    return typer.Typer(cls=Group, rich_markup_mode=None, pretty_exceptions_enable=False,
                       add_completion=False, no_args_is_help=True, **kwargs)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings `main` was given (tests pass their own), else those of the environment."""
    given = ctx.find_root().obj
    return given if isinstance(given, Settings) else get_settings()


def ready(ctx: typer.Context) -> Settings:
    """The settings, with the campaign and holiday files read now: a broken one is reported before
    anything starts (exit 2, its path and line)."""
    settings = settings_of(ctx)
    try:
        _load_campaigns(settings)
    except ValueError as e:    # CampaignError: a broken campaign file stops the start
        say(f"error: {e}")
        raise typer.Exit(2) from None
    return settings


def _load_campaigns(settings: Settings) -> None:
    from dossier.campaign_registry import configure
    from dossier.stages import calendar

    configure(settings.campaigns_dir, refresh_seconds=settings.campaigns_refresh_seconds)
    calendar.configure(settings.holidays_dir)     # the holiday files likewise


def say(text: str) -> None:
    """One message for people, on stderr (stdout is for what scripts read)."""
    print(text, file=sys.stderr)


def write(path: str, data: bytes) -> None:
    from pathlib import Path

    Path(path).write_bytes(data)


@contextmanager
def db_session(ctx: typer.Context) -> Iterator[tuple[Settings, Any]]:
    """The settings and a database session; a DomainError (no such submission, a refused account) is
    said on stderr in both languages and exits 1."""
    from services.kit.errors import DomainError
    from storage.db import make_engine, make_sessionmaker

    settings = ready(ctx)
    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                yield settings, session
            except DomainError as e:
                say(f"{e.detail or e.code} / {e.message}")
                raise typer.Exit(1) from None
    finally:
        engine.dispose()
