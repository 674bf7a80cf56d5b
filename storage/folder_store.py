"""A folder on this machine as the object store (embedded mode, development).

Writes go to a temporary file in the same folder and are renamed into place,
so a reader never sees half an object and a crash leaves no partial one.
"""
from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from .object_store import CHUNK, HashingReader, ObjectNotFound, PutResult, StoreError, check_key

log = logging.getLogger(__name__)


class FolderStore:
    def __init__(self, root: Path | str, *, warn: bool = False) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        if warn:
            log.warning("FolderStore at %s is meant for development and single-machine use; "
                        "use an s3:// storage URL when workers run elsewhere", self.root)

    def __repr__(self) -> str:
        return f"FolderStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        # check_key already refuses '..'; this also catches symlinks out of the root
        if not path.is_relative_to(self.root):
            raise StoreError(f"key {key!r} leaves the store")
        return path

    def put_stream(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None,
                   content_type: str = "application/octet-stream") -> PutResult:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        reader = HashingReader(stream, max_bytes)
        fd, tmp = tempfile.mkstemp(prefix=".put-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := reader.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return reader.result()

    def put_bytes(self, key: str, data: bytes,
                  content_type: str = "application/octet-stream") -> PutResult:
        return self.put_stream(key, io.BytesIO(data), content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        return path.stat().st_size

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[str]:
        keys = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".put-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return iter(sorted(keys))
