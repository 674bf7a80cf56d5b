"""`dossier lists CAMPAIGN LIST -o FILE.xlsx [--pdf FILE.pdf] [--recommender R]`: one of the lists the
notice publishes (the campaign file's `public_lists`), compiled now."""
from __future__ import annotations

from typing import Annotated

import typer

from .common import Command, db_session, say, write
from .packets import OutXlsx


def register(app: typer.Typer) -> None:
    app.command("lists", cls=Command,
                help="a list the notice publishes (公示名单, 表彰名单, 复查结果) / 生成公示、表彰名单")(lists)


def lists(ctx: typer.Context,
          campaign_id: Annotated[str, typer.Argument(metavar="CAMPAIGN_ID")],
          list_id: Annotated[str, typer.Argument(metavar="LIST_ID",
                                                 help="an id of the campaign file's public_lists / 名单编号")],
          output: OutXlsx,
          pdf: Annotated[str | None, typer.Option(metavar="FILE", help="also write it as PDF / 同时输出 PDF")] = None,
          recommender: Annotated[str | None, typer.Option(
              help="for a list made per recommender (its 公示名单) / 推荐单位")] = None) -> int:
    """One of the lists the notice publishes (the campaign file's `public_lists`), compiled now."""
    from dossier.campaigns import CampaignError, get_campaign
    from storage.models import utcnow
    from workers.packets import public_lists

    with db_session(ctx) as (settings, session):
        try:
            campaign = get_campaign(campaign_id)
            made = {fmt: public_lists.render(session, campaign, list_id, fmt, recommender=recommender,
                                             compiled=utcnow(), font_path=settings.packet_font)
                    for fmt in (("xlsx", "pdf") if pdf else ("xlsx",))}
        except (CampaignError, public_lists.ListError) as e:
            say(f"{e} / 没有这个评选活动或名单（按推荐单位分列的名单须指定 --recommender）")
            return 1
    write(output, made["xlsx"])
    if pdf:
        write(pdf, made["pdf"])
    print(f"wrote {output}{' and ' + pdf if pdf else ''} / 已生成名单")
    return 0
