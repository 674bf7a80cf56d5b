"""Sending a stored file to the browser: its name in the header, its bytes streamed in chunks."""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator
from urllib.parse import quote

CHUNK = 256 * 1024
_UNSAFE = re.compile(r'[^A-Za-z0-9._()\- ]')


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the real name RFC 5987-encoded.

    Quotes, backslashes, control characters and path separators never reach the
    header, so a name cannot break out of it or suggest a directory.
    """
    base = re.split(r"[\\/]", name)[-1] or "file"
    fallback = _UNSAFE.sub("_", base).strip(" .") or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(base, safe='')}"


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream's bytes, CHUNK at a time; the stream is closed when done or abandoned."""
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    finally:
        stream.close()
