"""Packet builds: how long a campaign's dossiers and summary take to compile, single process.

    .venv/bin/python bench/bench_packets.py [--subs 10]

Makes `--subs` yueyang submissions in a temp folder on embedded defaults, each a
申报表 and a 评分细则 read by the pipeline's functions and submitted, twice over: once with the
originals as Word files (each printed to PDF by LibreOffice in the build) and once
as PDF files (appended as they are).  Then times `run_build` on each set, and a
second build of the Word set (a campaign's packets are built again as it goes on;
each Word original's print is kept), and prints the seconds per dossier and the
build's total (the summary workbook and PDF included), the mean dossier PDF's
size and the summary PDF's size, and the seconds the generated pages alone take
to render per dossier (`--renders` times each; the originals left out).
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.campaigns import get_campaign  # noqa: E402
from dossier.settings import Settings  # noqa: E402
from services.review import flow  # noqa: E402
from services.submissions.service import accept_upload, create_submission  # noqa: E402
from storage.db import make_engine, make_sessionmaker, migrate  # noqa: E402
from storage.models import utcnow  # noqa: E402
from storage.objects import open_store  # noqa: E402
from storage.packet_models import PacketBuild  # noqa: E402
from workers.packets.record import campaign_submissions, gather  # noqa: E402
from tests import docx_factory as make  # noqa: E402
from tests.packet_scenario import pdf_pages  # noqa: E402
from workers import steps  # noqa: E402
from workers.packets.build import request_build, run_build  # noqa: E402
from workers.packets.pages import render_sections  # noqa: E402
from workers.packets.prints import print_original  # noqa: E402

CAMPAIGN = "yueyang-2017"


def populate(settings: Settings, folder: Path, n: int, as_pdf: bool, print_ahead: bool = False) -> float:
    """Make the submissions; with `print_ahead`, also run the packets queue's print of each Word
    file as the workers do after reading it, and return the seconds that took."""
    sessions = make_sessionmaker(make_engine(settings))
    store = open_store(settings)
    maxima = [it.max for it in get_campaign(CAMPAIGN).document("score_sheet").rubric.items]
    rt = steps.Runtime(settings, sessions, store)
    printing = 0.0
    for i in range(n):
        form = make.yueyang_form(folder / f"form{i}.docx", {"unit_name": f"中共岳阳市某局机关第{i}支部委员会",
                                                           "material": make.narrative(1200, seed=i)})
        sheet = make.score_sheet(folder / f"sheet{i}.docx", maxima, 100)
        files = [("申报表.pdf", pdf_pages(2, f"form {i}")), ("评分细则.pdf", pdf_pages(2, f"sheet {i}"))] if as_pdf \
            else [("申报表.docx", form.read_bytes()), ("评分细则.docx", sheet.read_bytes())]
        with sessions() as s:
            sid = create_submission(s, campaign_id=CAMPAIGN, organisation=f"岳阳市某局机关第{i}支部").id
            ids = [accept_upload(s, store, settings, submission_id=sid, filename=name,
                                 stream=io.BytesIO(data)).id for name, data in files]
        for fid in ids:
            steps.ingest_file(rt, fid)
            steps.extract_file(rt, fid)
        steps.check_submission(rt, sid)
        with sessions() as s:
            flow.start_review(s, None, sid)     # submitted: drafts are no part of a packet
        if print_ahead:
            t0 = time.perf_counter()
            for fid in ids:
                print_original(sessions, store, settings, fid)
            printing += time.perf_counter() - t0
    return printing


def build(settings: Settings) -> tuple[float, int, str, float, int]:
    """Seconds, dossiers done, final state, mean dossier PDF bytes, summary PDF bytes."""
    sessions = make_sessionmaker(make_engine(settings))
    store = open_store(settings)
    with sessions() as s:
        build_id = request_build(s, CAMPAIGN, "bench").id
    t0 = time.perf_counter()
    state = run_build(sessions, store, settings, build_id, budget_s=3600)
    took = time.perf_counter() - t0
    with sessions() as s:
        row = s.get(PacketBuild, build_id)
        assert row is not None
        done, objects = row.done, dict(row.objects or {})
    sizes = [len(store.get(key)) for key in (objects.get("dossiers") or {}).values()]
    summary = len(store.get(objects["summary_pdf"])) if objects.get("summary_pdf") else 0
    return took, done, state, sum(sizes) / max(len(sizes), 1), summary


def render_only(settings: Settings, times: int) -> float:
    """Seconds per dossier for the generated pages alone (cover … list of originals)."""
    sessions = make_sessionmaker(make_engine(settings))
    campaign = get_campaign(CAMPAIGN)
    with sessions() as s:
        records = [gather(s, campaign, sid) for sid in campaign_submissions(s, CAMPAIGN)]
    render_sections(records[0], utcnow())       # fonts loaded once, as in a running worker
    t0 = time.perf_counter()
    for _ in range(times):
        for r in records:
            render_sections(r, utcnow())
    return (time.perf_counter() - t0) / max(times * len(records), 1)


def report(label: str, took: float, done: int, state: str, size: float, summary: int) -> None:
    # each set as soon as it is timed: a long run cut short still says what it measured
    print(f"  {label:37s} {took:7.1f} s total  {took / max(done, 1):6.2f} s/dossier  "
          f"{done / took:5.2f} dossiers/s  dossier PDF {size / 1024:6.1f} KiB  "
          f"summary PDF {summary / 1024:6.1f} KiB  ({state})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subs", type=int, default=10)
    ap.add_argument("--renders", type=int, default=3)
    ap.add_argument("--pdf-only", action="store_true", help="only the PDF originals' set (no LibreOffice)")
    args = ap.parse_args()
    ahead = render = 0.0
    print(f"packet build of {args.subs} yueyang submissions (form + score sheet each), one process:", flush=True)
    for label, as_pdf, print_ahead in (("Word originals (LibreOffice)", False, False),
                                       ("Word originals, printed when read", False, True),
                                       ("PDF originals", True, False)):
        if args.pdf_only and not as_pdf:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp) / "var")
            migrate(make_engine(settings))
            printing = populate(settings, Path(tmp), args.subs, as_pdf, print_ahead)
            ahead = printing or ahead
            report(label, *build(settings))
            if not as_pdf and not print_ahead:
                report(label + ", again", *build(settings))
            if as_pdf:
                render = render_only(settings, args.renders)
    print(f"  generated pages alone: {render:.3f} s/dossier (mean of {args.renders} x {args.subs})")
    if ahead:
        print(f"  printing ahead on the packets queue took {ahead:.1f} s ({ahead / (2 * args.subs):.2f} s/file), "
              "in the background as files are read")


if __name__ == "__main__":
    main()
