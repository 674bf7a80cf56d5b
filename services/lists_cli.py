"""`dossier lists CAMPAIGN LIST -o FILE.xlsx [--pdf FILE.pdf] [--recommender R]`: one of the lists the
notice publishes (the campaign file's `public_lists`), compiled now."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dossier.settings import Settings


def add_lists_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lists", help="a list the notice publishes (公示名单, 表彰名单, 复查结果) / 生成公示、表彰名单")
    p.add_argument("campaign_id", metavar="CAMPAIGN_ID")
    p.add_argument("list_id", metavar="LIST_ID", help="an id of the campaign file's public_lists / 名单编号")
    p.add_argument("-o", "--output", required=True, help="the XLSX to write / 输出的 Excel 文件")
    p.add_argument("--pdf", metavar="FILE", help="also write it as PDF / 同时输出 PDF")
    p.add_argument("--recommender", help="for a list made per recommender (its 公示名单) / 推荐单位")


def run_lists(args: argparse.Namespace, settings: Settings) -> int:
    from dossier.campaigns import CampaignError, get_campaign
    from storage.db import make_engine, make_sessionmaker
    from storage.models import utcnow
    from workers.packets import public_lists

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                campaign = get_campaign(args.campaign_id)
                made = {fmt: public_lists.render(session, campaign, args.list_id, fmt, recommender=args.recommender,
                                                 compiled=utcnow(), font_path=settings.packet_font)
                        for fmt in (("xlsx", "pdf") if args.pdf else ("xlsx",))}
            except (CampaignError, public_lists.ListError) as e:
                print(f"{e} / 没有这个评选活动或名单（按推荐单位分列的名单须指定 --recommender）", file=sys.stderr)
                return 1
        Path(args.output).write_bytes(made["xlsx"])
        if args.pdf:
            Path(args.pdf).write_bytes(made["pdf"])
        print(f"wrote {args.output}{' and ' + args.pdf if args.pdf else ''} / 已生成名单")
        return 0
    finally:
        engine.dispose()
