"""What a step returns, and the one exception that stops a step early.

A step answers with an `Outcome`: the state it left the row in (`status`, what the Celery task
reports and what the tests compare with a string), the tasks it queued through the outbox
(`next`, in order) and how many findings it recorded.  `Stop` is the only way a step's work says
"this file cannot go on": the step parks the file with its Chinese message; everything else that
escapes the work is either an outage (the task waits it out) or a bug (parked as MSG_FAILED).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

# (page number, object key of its PNG): one page of a scan waiting for OCR
PageRef = tuple[int, str]


class PageResult(TypedDict):
    """What one `ocr.page` hands to the join: keys in the store, never the page's data."""
    page: int
    json: str | None      # the page's OCR JSON; None when the file row is gone
    image: str            # the page's PNG (upright, as read)


@dataclass(frozen=True, eq=False)
class Outcome:
    """A step's answer: the state it left its row in and what it queued next."""
    status: str
    next: tuple[str, ...] = ()     # task names queued through the outbox by this step, in order
    findings: int = 0              # findings recorded on the row by this step

    # an outcome reads as its status, as the task reports it: `steps.ingest_file(rt, id) == "queued"`
    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.status == other
        if isinstance(other, Outcome):
            return (self.status, self.next, self.findings) == (other.status, other.next, other.findings)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.status)

    def __str__(self) -> str:
        return self.status


class Stop(Exception):
    """The file cannot go on: park it for a person, with `message` (Chinese, shown to the unit)
    and `detail` (English, for the operator on /ops)."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(detail)
        self.message = message
        self.detail = detail
