"""Campaign files loaded on the admin page, versioned: every version is kept, the newest is current.

A version is the file's whole YAML text as the admin gave it (comments and all,
so the next admin reads what the last one wrote), its sha256, who loaded it and
why.  Rows are only ever added; going back to an older file is loading it again.
`version_source(sessions)` is what the campaign registry (dossier/campaign_registry.py)
asks for the current versions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from dossier.campaign_registry import CampaignRegistry, VersionSource, configure, registry
from dossier.campaigns import default_dir
from dossier.settings import Settings
from storage.models import Base, BigId, UTCDateTime, utcnow


class CampaignVersion(Base):
    __tablename__ = "campaign_versions"
    __table_args__ = (UniqueConstraint("campaign_id", "version", name="uq_campaign_versions_campaign_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer())
    source: Mapped[str] = mapped_column(Text())          # the YAML text as loaded
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text(), default="")
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


def current_versions(session: Session) -> dict[str, CampaignVersion]:
    """The newest stored version of each campaign that has one."""
    newest = (select(CampaignVersion.campaign_id, func.max(CampaignVersion.version).label("v"))
              .group_by(CampaignVersion.campaign_id).subquery())
    rows = session.scalars(select(CampaignVersion).join(
        newest, (CampaignVersion.campaign_id == newest.c.campaign_id) & (CampaignVersion.version == newest.c.v)))
    return {r.campaign_id: r for r in rows}


def versions_of(session: Session, campaign_id: str) -> list[CampaignVersion]:
    """Every stored version of a campaign, newest first."""
    return list(session.scalars(select(CampaignVersion).where(CampaignVersion.campaign_id == campaign_id)
                                .order_by(CampaignVersion.version.desc())))


def add_version(session: Session, campaign_id: str, text: str, *, loaded_by: str,
                file_name: str = "", note: str = "") -> CampaignVersion:
    """Store `text` as the campaign's next version (validated by the caller)."""
    last = session.scalar(select(func.max(CampaignVersion.version))
                          .where(CampaignVersion.campaign_id == campaign_id)) or 0
    row = CampaignVersion(campaign_id=campaign_id, version=last + 1, source=text,
                          sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                          file_name=file_name, note=note, loaded_by=loaded_by)
    session.add(row)
    session.flush()
    return row


def version_source(sessions: sessionmaker[Session]) -> VersionSource:
    """What the registry calls to learn the current versions: one small query."""
    def read() -> dict[str, tuple[int, str]]:
        with sessions() as s:
            return {cid: (r.version, r.source) for cid, r in current_versions(s).items()}
    return read


def attach_registry(settings: Settings, sessions: sessionmaker[Session]) -> CampaignRegistry:
    """This process's campaign registry, reading the configured folder and the stored versions."""
    reg = registry()
    wanted = Path(settings.campaigns_dir) if settings.campaigns_dir else default_dir()
    if reg.folder.resolve() != wanted.resolve():
        reg = configure(wanted, refresh_seconds=settings.campaigns_refresh_seconds)
    reg.use_versions(version_source(sessions))
    return reg
