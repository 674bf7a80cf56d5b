"""The old import path of the pipeline steps, which live in workers/steps/ now.

Kept only while services/submissions/progress.py and bench/bench_packets.py (being changed by
others this session) still import these names from here; new code imports `workers.steps`.
"""
from __future__ import annotations

from workers.steps import (P_EXTRACTING, P_PAGES_DONE, Runtime, check_submission, extract_file,
                           ingest_file)

__all__ = ["P_EXTRACTING", "P_PAGES_DONE", "Runtime", "check_submission", "extract_file",
           "ingest_file"]
