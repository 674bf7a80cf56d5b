"""The Celery task names: the only place they are spelled.

A task is published by name (from the outbox relay, by services, by other tasks), so a name is a
message format shared by every process: the API, the relay and the workers must agree on it.
"""
from __future__ import annotations

INGEST = "ingest.file"            # sniff, dedupe, record what the file is
EXTRACT = "extract.file"          # read a Word/text PDF file, locate fields, check
OCR = "ocr.file"                  # split a scan into pages for OCR
OCR_PAGE = "ocr.page"             # one page's OCR (the `ocr` queue)
ASSEMBLE = "ocr.assemble"         # the pages read: locate fields, check
CHECK = "check.submission"        # the whole submission's checks (completeness, quotas)
PACKET_BUILD = "packets.build"    # a campaign's packet (dossiers, 汇总表, lists)
PACKET_PRINT = "packets.print"    # one Word original printed to PDF for the reviewer's desk
NOTIFY_EMAIL = "notify.email"     # one notification as an email
