"""The pipeline as steps: plain functions taking ids and a Runtime, returning an Outcome.

A Celery task (workers/tasks.py) only calls one of these with the worker's Runtime and reports
its status; tests call them directly.  Each step loads its input by id, does its work, records
the result and the next step's outbox row in one transaction, then asks `Runtime.publish` to
send that row at once (the relay sends it later if that fails).

    ingest.file      ingest.py   verify the object, sniff, queue its reading   (ingest queue)
    extract.file     extract.py  read, locate, check; keep the result          (extract queue)
    ocr.file         ocr.py      a scan: store its pages, queue one ocr.page each (ocr queue)
    ocr.page         ocr.py      OCR one page; the last one read queues the join (ocr queue)
    ocr.assemble     ocr.py      join the pages, check; keep the result        (extract queue)
    check.submission check.py    submission-level findings                     (ingest queue)
    packets.print    print.py    a Word original printed for its dossier       (packets queue)
    packets.build    print.py    a campaign's packets                          (packets queue)

files.py holds the file row's bookkeeping every file step shares (lease and attempts, parking,
recording); outcomes.py what a step returns; runtime.py what it runs with.
"""
from __future__ import annotations

from .check import MSG_CHECK_FAILED, check_submission, mark_replaced
from .extract import extract_file
from .files import (MSG_FAILED, MSG_MISSING, MSG_TIMEOUT, MSG_TOO_MANY, OCR_FORMATS, P_DONE,
                    P_EXTRACTING, P_INGESTED, P_PAGES_DONE, PROCESSING_FAILED, read_topic)
from .ingest import ingest_file
from .ocr import (MSG_PAGE_FAILED, MSG_PAGE_TIMEOUT, MSG_PAGE_TOO_MANY, ocr_assemble,
                  ocr_file, ocr_page, page_json_key, stored_pages)
from .outcomes import Outcome, PageRef, PageResult, Stop
from .print import build_packets, print_original
from ..runtime import Runtime

__all__ = [
    "MSG_CHECK_FAILED", "MSG_FAILED", "MSG_MISSING", "MSG_PAGE_FAILED", "MSG_PAGE_TIMEOUT",
    "MSG_PAGE_TOO_MANY", "MSG_TIMEOUT", "MSG_TOO_MANY", "OCR_FORMATS", "P_DONE", "P_EXTRACTING",
    "P_INGESTED", "P_PAGES_DONE", "PROCESSING_FAILED", "Outcome", "PageRef",
    "PageResult", "Runtime", "Stop", "build_packets", "check_submission", "extract_file",
    "ingest_file", "mark_replaced", "ocr_assemble", "ocr_file", "ocr_page", "page_json_key",
    "print_original", "read_topic", "stored_pages",
]
