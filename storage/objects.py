"""The object store: one protocol, two implementations, one factory.

Originals and derived files (converted .docx, page images, packets) live here;
the database only holds their keys.  `open_store(settings)` picks the
implementation from `settings.storage_url`:

- ``file:///path``        -> `FolderStore` (embedded mode, development)
- ``s3://bucket/prefix``  -> `MinioStore` (MinIO or any S3)

Key layout (see `original_key` / `derived_key`):
``submissions/{submission_id}/originals/{sha256}{ext}`` and
``submissions/{submission_id}/derived/{name}``.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit

from dossier.settings import Settings

# the protocol and what both implementations share, named here for every caller
from .object_store import (CHUNK, HashingReader, ObjectNotFound, ObjectStore, ObjectTooLarge,  # noqa: F401
                           PutResult, StoreError, check_key)

log = logging.getLogger(__name__)

_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")


def safe_ext(filename: str) -> str:
    """The extension of a user's file name when it is plain ('.docx'), else ''."""
    base = re.split(r"[\\/]", filename)[-1]
    dot = base.rfind(".")
    ext = base[dot:].lower() if dot > 0 else ""
    return ext if _EXT.match(ext) else ""


def submission_prefix(submission_id: str) -> str:
    return f"submissions/{check_key(submission_id)}"


def original_key(submission_id: str, sha256: str, ext: str = "") -> str:
    return check_key(f"{submission_prefix(submission_id)}/originals/{sha256}{ext}")


def derived_key(submission_id: str, name: str) -> str:
    return check_key(f"{submission_prefix(submission_id)}/derived/{name}")


def open_store(settings: Settings) -> ObjectStore:
    """The store named by `settings.storage_url` (default: a folder under data_dir)."""
    url = settings.resolved_storage_url()
    parts = urlsplit(url)
    if parts.scheme == "file":
        from .folder_store import FolderStore
        # a folder only works when every process runs on this machine; with a
        # server database the deployment is distributed, so say so loudly
        development = settings.resolved_database_url().startswith("sqlite")
        return FolderStore(unquote(parts.netloc + parts.path), warn=not development)
    if parts.scheme == "s3":
        from .minio_store import MinioStore
        if not parts.netloc:
            raise StoreError(f"storage URL {url!r} names no bucket")
        return MinioStore.from_settings(settings, bucket=parts.netloc, prefix=parts.path.strip("/"))
    raise StoreError(f"unsupported storage URL scheme {parts.scheme!r} (use file:// or s3://)")
