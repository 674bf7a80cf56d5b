"""`dossier packet` and `dossier summary`: what the packets worker compiles, compiled now.

They run for seconds to minutes (LibreOffice converts every original), so each shows its progress on
stderr; stdout keeps the one line saying what was written."""
from __future__ import annotations

from typing import Annotated

import typer

from .common import Command, db_session, say, write
from .progress import Steps

OutXlsx = Annotated[str, typer.Option("--output", "-o", help="the XLSX to write / 输出的 Excel 文件")]


def register(app: typer.Typer) -> None:
    app.command("packet", cls=Command, help="one submission's dossier as PDF / 生成一份申报的材料汇编 PDF")(packet)
    app.command("summary", cls=Command, help="a campaign's 汇总表 as XLSX / 生成评选活动汇总表")(summary)


def packet(ctx: typer.Context,
           submission_id: Annotated[str, typer.Argument(metavar="SUBMISSION_ID")],
           output: Annotated[str, typer.Option("--output", "-o", help="the PDF to write / 输出的 PDF 文件")]) -> int:
    """One submission's dossier PDF, compiled now."""
    from services.packets.service import submission_dossier
    from storage.objects import open_store

    with db_session(ctx) as (settings, session):
        # compile_dossier reports no steps of its own: the bar runs with the time taken
        with Steps(f"compiling the dossier of {submission_id} / 正在生成材料汇编") as steps:
            d = submission_dossier(session, open_store(settings), settings, submission_id)
            steps.advance(output)
    write(output, d.pdf)
    print(f"wrote {output}: {d.pages} pages ({d.generated_pages} generated, "
          f"{len(d.original_pages)} original(s)) / 已生成申报材料汇编")
    if d.not_converted:
        say(f"{len(d.not_converted)} original(s) could not be converted and are attached instead / "
            f"{len(d.not_converted)} 份原件无法转换，已作为附件嵌入")
    return 0


def summary(ctx: typer.Context,
            campaign_id: Annotated[str, typer.Argument(metavar="CAMPAIGN_ID")],
            output: OutXlsx,
            pdf: Annotated[str | None, typer.Option(
                metavar="FILE", help="also write it as PDF (landscape A4) / 同时输出 PDF")] = None) -> int:
    """The campaign's 汇总表 as XLSX (and, with --pdf, as PDF), compiled now."""
    from services.packets.service import campaign_summary

    with db_session(ctx) as (settings, session):
        with Steps(f"gathering the submissions of {campaign_id} / 正在汇总申报") as steps:
            xlsx, pdf_bytes, n = campaign_summary(session, settings, campaign_id, progress=_stepper(steps))
    write(output, xlsx)
    if pdf:
        write(pdf, pdf_bytes)
    print(f"wrote {output}{' and ' + pdf if pdf else ''}: {n} submission(s) / 已生成汇总表")
    return 0


def _stepper(steps: Steps):  # type: ignore[no-untyped-def]
    """campaign_summary's progress(done, total, submission_id) as steps of the bar, its total once known."""
    def progress(done: int, total: int, submission_id: str) -> None:
        steps.set_total(total)
        steps.advance(submission_id)
    return progress
