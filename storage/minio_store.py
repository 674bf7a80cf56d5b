"""MinIO (or any S3) as the object store, through the `minio` SDK.

``s3://bucket/prefix``: every key is stored under `prefix/`.  The bucket is
created on first use when missing.  Uploads of unknown length go in parts; a
stream that fails or passes its limit aborts the multipart upload, so no
partial object is left.
"""
from __future__ import annotations

import io
import logging
from typing import BinaryIO, Iterator

import urllib3
from minio import Minio
from minio.error import S3Error

from dossier.settings import Settings

from .object_store import HashingReader, ObjectNotFound, PutResult, check_key

log = logging.getLogger(__name__)

PART_SIZE = 16 * 1024 * 1024
_MISSING = ("NoSuchKey", "NoSuchObject", "NoSuchBucket")


class MinioStore:
    def __init__(self, client: Minio, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._bucket_checked = False

    @classmethod
    def from_settings(cls, settings: Settings, *, bucket: str, prefix: str = "") -> "MinioStore":
        # short timeouts and few retries: a dead S3 must surface as an error the
        # Celery task retries with backoff, not hang a worker for minutes
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            retries=urllib3.Retry(total=3, backoff_factor=0.2,
                                  status_forcelist=[500, 502, 503, 504]),
            maxsize=10)
        client = Minio(settings.s3_endpoint, access_key=settings.s3_access_key or None,
                       secret_key=settings.s3_secret_key or None, secure=settings.s3_secure,
                       region=settings.s3_region or None, http_client=http)
        return cls(client, bucket, prefix)

    def __repr__(self) -> str:
        return f"MinioStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _ensure_bucket(self) -> None:
        if self._bucket_checked:
            return
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
                log.info("created bucket %s", self.bucket)
            except S3Error as e:
                # another process created it between the check and the call
                if e.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self._bucket_checked = True

    def put_stream(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None,
                   content_type: str = "application/octet-stream") -> PutResult:
        self._ensure_bucket()
        reader = HashingReader(stream, max_bytes)
        self.client.put_object(self.bucket, self._name(key), reader, length=-1,
                               part_size=PART_SIZE, content_type=content_type)
        return reader.result()

    def put_bytes(self, key: str, data: bytes,
                  content_type: str = "application/octet-stream") -> PutResult:
        return self.put_stream(key, io.BytesIO(data), content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        self._ensure_bucket()
        try:
            resp = self.client.get_object(self.bucket, self._name(key))
        except S3Error as e:
            if e.code in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        return _ResponseStream(resp)

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def size(self, key: str) -> int:
        self._ensure_bucket()
        try:
            return int(self.client.stat_object(self.bucket, self._name(key)).size or 0)
        except S3Error as e:
            if e.code in _MISSING:
                raise ObjectNotFound(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        self._ensure_bucket()
        self.client.remove_object(self.bucket, self._name(key))

    def list(self, prefix: str = "") -> Iterator[str]:
        self._ensure_bucket()
        # a listing prefix need not end on a segment, so it is not a key
        base = f"{self.prefix}/" if self.prefix else ""
        cut = len(base)
        names = [o.object_name[cut:] for o in
                 self.client.list_objects(self.bucket, prefix=base + prefix or None, recursive=True)
                 if o.object_name]
        return iter(sorted(n for n in names if n.startswith(prefix)))


class _ResponseStream(io.RawIOBase):
    """A urllib3 response as a closable binary stream that frees its connection."""

    def __init__(self, resp: urllib3.BaseHTTPResponse) -> None:
        self._resp = resp

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self._resp.read(len(b))
        n = len(data)
        b[:n] = data
        return n

    def read(self, n: int = -1) -> bytes:
        return self._resp.read() if n is None or n < 0 else self._resp.read(n)

    def close(self) -> None:
        if not self.closed:
            self._resp.close()
            self._resp.release_conn()
        super().close()
