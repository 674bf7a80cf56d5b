"""Packet builds: one row per request to compile a campaign's packets.

The build itself runs on the `packets` queue (workers/packets/build.py); this
row is what people see: its state, how far it got, and the object keys of
what it produced (derived files under `packets/`; originals are never changed).
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, JSONType, UTCDateTime, new_id, utcnow


class BuildState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"        # finished; some submissions may have failed (see `objects["failed"]`)
    FAILED = "failed"    # the build as a whole could not finish

    @classmethod
    def final(cls) -> tuple["BuildState", ...]:
        return (cls.DONE, cls.FAILED)


class PacketBuild(Base):
    __tablename__ = "packet_builds"
    __table_args__ = (Index("ix_packet_builds_campaign_created", "campaign_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=BuildState.QUEUED.value)
    done: Mapped[int] = mapped_column(Integer(), default=0)       # submissions compiled so far
    total: Mapped[int] = mapped_column(Integer(), default=0)      # submissions in the build
    requested_by: Mapped[str | None] = mapped_column(String(64))  # username; None from the CLI
    error: Mapped[str | None] = mapped_column(Text())             # Chinese, when the build failed
    # {"summary_xlsx": key, "summary_pdf": key, "dossiers": {submission id: key},
    #  "failed": {submission id: Chinese reason},
    #  "lists": [{"id", "title", "per", "files": [{"recommender", "title", "rows", "xlsx": key, "pdf": key}]}]}
    objects: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_final(self) -> bool:
        return self.state in (BuildState.DONE.value, BuildState.FAILED.value)
