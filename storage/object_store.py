"""What every object store shares: the protocol, its errors, key checking, and the reader that
hashes and counts an upload as it streams.  The implementations (folder_store.py,
minio_store.py) import this module; `storage.objects` chooses one of them."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Protocol, runtime_checkable

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
