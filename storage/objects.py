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

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from dossier.settings import Settings

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024


class StoreError(Exception):
    """The store could not do what was asked (missing object, bad key, I/O)."""


class ObjectNotFound(StoreError, KeyError):
    """No object under that key."""


class ObjectTooLarge(StoreError):
    """A stream went past `max_bytes`; nothing was kept."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"object larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class PutResult:
    size: int
    sha256: str


@runtime_checkable
class ObjectStore(Protocol):
    """What every store offers.  Keys are '/'-separated relative names."""

    def put_stream(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None,
                   content_type: str = "application/octet-stream") -> PutResult:
        """Store `stream` under `key`, hashing it; past `max_bytes` raise ObjectTooLarge
        and keep nothing."""
        ...

    def put_bytes(self, key: str, data: bytes,
                  content_type: str = "application/octet-stream") -> PutResult: ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream; the caller closes it.  ObjectNotFound if absent."""
        ...

    def get(self, key: str) -> bytes: ...

    def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFound if absent."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; absent is not an error."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under `prefix`, sorted."""
        ...


_KEY_PART = re.compile(r"^[A-Za-z0-9._\-]+$")


def check_key(key: str) -> str:
    """A key made of plain segments; refuses '..', absolute and odd names.

    Keys are built by this code, never from a user's file name, but a store
    must still refuse anything that could leave its root.
    """
    if not key or key.startswith("/") or "\\" in key:
        raise StoreError(f"bad object key {key!r}")
    for part in key.split("/"):
        if part in ("", ".", "..") or not _KEY_PART.match(part):
            raise StoreError(f"bad object key {key!r}")
    return key


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


class HashingReader:
    """Wraps a stream: counts and hashes what is read, and stops past a limit."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None = None) -> None:
        self._stream = stream
        self._max = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n if n is not None and n >= 0 else CHUNK * 64)
        if data:
            self.size += len(data)
            if self._max is not None and self.size > self._max:
                raise ObjectTooLarge(self._max)
            self._hash.update(data)
        return data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def result(self) -> PutResult:
        return PutResult(self.size, self.sha256)


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
