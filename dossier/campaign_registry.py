"""The campaigns, loaded once: every caller asks the registry, nobody threads a folder around.

The registry reads the configured folder (`DOSSIER_CAMPAIGNS_DIR`, else the
campaigns shipped with the package) when it is first used — a broken file
stops the start with its path and line.  On top of the files sit the versions
an admin loaded on /admin/campaigns, kept in the database: `dossier/` knows
no database, so the storage layer hands in a `VersionSource` (a function
giving each campaign's current version number and YAML text).  The registry
asks it at most every `refresh_seconds`, so an API process and every worker
see a new version without a restart; the process that stores a version calls
`invalidate()` and sees it at once.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Mapping

from dossier.campaign_model import Campaign, CampaignError, default_dir, load_folder, parse_campaign_text, pick

log = logging.getLogger(__name__)

# campaign id -> (version number, the file's YAML text): the current version of each
VersionSource = Callable[[], Mapping[str, tuple[int, str]]]


class CampaignRegistry:
    """The campaigns of one process: the folder's files, overlaid by the stored versions."""

    def __init__(self, folder: Path | str | None = None, *, versions: VersionSource | None = None,
                 refresh_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder) if folder else default_dir()
        self.files: dict[str, Campaign] = load_folder(self.folder)
        self._versions = versions
        self._refresh = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, int], Campaign] = {}
        self._current: dict[str, Campaign] = dict(self.files)
        self._checked_at: float | None = None

    def use_versions(self, versions: VersionSource | None) -> None:
        """Read stored versions from `versions` (the storage layer's source) from now on."""
        with self._lock:
            self._versions = versions
            self._checked_at = None

    def invalidate(self) -> None:
        """Ask the version source again on the next read (after this process stored a version)."""
        with self._lock:
            self._checked_at = None

    def all(self) -> dict[str, Campaign]:
        """Every current campaign by id."""
        with self._lock:
            now = self._clock()
            if self._versions is not None and (self._checked_at is None or
                                               now - self._checked_at >= self._refresh):
                self._current = self._overlay()
                self._checked_at = now
            return dict(self._current)

    def get(self, campaign_id: str) -> Campaign:
        return pick(self.all(), campaign_id)

    def _overlay(self) -> dict[str, Campaign]:
        assert self._versions is not None
        try:
            stored = dict(self._versions())
        except Exception as e:  # noqa: BLE001 — a database hiccup must not take the campaigns away
            log.warning("campaign versions unavailable, keeping the last ones read: %s", e)
            return self._current
        out = dict(self.files)
        for cid, (version, text) in stored.items():
            key = (cid, version)
            if key not in self._parsed:
                try:
                    self._parsed[key] = parse_campaign_text(text, f"{cid} v{version}", version=version,
                                                            source=f"数据库版本 {version} / stored version {version}")
                except CampaignError as e:   # validated before it was stored; a later schema may refuse it
                    log.error("stored campaign %s v%s no longer validates: %s", cid, version, e)
                    continue
            out[cid] = self._parsed[key]
        return out


_registry: CampaignRegistry | None = None
_registry_lock = threading.Lock()


def registry() -> CampaignRegistry:
    """This process's registry, built on first use from the settings."""
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                from dossier.settings import get_settings
                s = get_settings()
                _registry = CampaignRegistry(s.campaigns_dir, refresh_seconds=s.campaigns_refresh_seconds)
    return _registry


def configure(folder: Path | str | None = None, *, versions: VersionSource | None = None,
              refresh_seconds: float = 5.0) -> CampaignRegistry:
    """Replace this process's registry (app start with explicit settings, tests)."""
    global _registry
    with _registry_lock:
        _registry = CampaignRegistry(folder, versions=versions, refresh_seconds=refresh_seconds)
    return _registry


def reset() -> None:
    """Forget the registry: the next use builds it from the settings again."""
    global _registry
    with _registry_lock:
        _registry = None
