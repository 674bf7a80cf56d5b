"""The object store contract, run on every implementation (folder, MinIO via moto)."""
from __future__ import annotations

import hashlib
import io
import logging

import pytest

from dossier.settings import Settings
from storage.objects import (ObjectNotFound, ObjectStore, ObjectTooLarge, StoreError, derived_key,
                             open_store, original_key, safe_ext)


@pytest.fixture(params=["folder", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, settings: Settings) -> ObjectStore:
    if request.param == "folder":
        return open_store(settings)
    return open_store(request.getfixturevalue("s3_settings"))


class TestStoreContract:
    def test_put_stream_returns_size_and_sha256(self, store: ObjectStore) -> None:
        """A stored stream comes back byte for byte, with its size and sha256."""
        data = b"\x00dossier" * 1000
        result = store.put_stream("a/b/one.bin", io.BytesIO(data), max_bytes=len(data))
        assert (result.size, result.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert store.get("a/b/one.bin") == data
        assert store.size("a/b/one.bin") == len(data)
        with store.open("a/b/one.bin") as fh:
            assert fh.read(8) == data[:8]

    def test_empty_object(self, store: ObjectStore) -> None:
        """An empty stream is a valid, empty object."""
        result = store.put_stream("empty.docx", io.BytesIO(b""))
        assert result.size == 0 and result.sha256 == hashlib.sha256(b"").hexdigest()
        assert store.exists("empty.docx") and store.get("empty.docx") == b""

    def test_over_limit_keeps_nothing(self, store: ObjectStore) -> None:
        """A stream past max_bytes raises and leaves no object, not even a partial one."""
        with pytest.raises(ObjectTooLarge):
            store.put_stream("big.bin", io.BytesIO(b"x" * 2048), max_bytes=1024)
        assert not store.exists("big.bin")
        assert list(store.list("")) == []

    def test_overwrite_replaces(self, store: ObjectStore) -> None:
        """Putting the same key again replaces the object."""
        store.put_bytes("k.txt", b"one")
        store.put_bytes("k.txt", b"two")
        assert store.get("k.txt") == b"two"

    def test_missing_object(self, store: ObjectStore) -> None:
        """Reading an absent key raises ObjectNotFound; deleting it is not an error."""
        assert not store.exists("nope.bin")
        with pytest.raises(ObjectNotFound):
            store.get("nope.bin")
        with pytest.raises(ObjectNotFound):
            store.size("nope.bin")
        store.delete("nope.bin")

    def test_delete(self, store: ObjectStore) -> None:
        store.put_bytes("gone.bin", b"1")
        store.delete("gone.bin")
        assert not store.exists("gone.bin")

    def test_list_by_prefix(self, store: ObjectStore) -> None:
        """list() gives sorted keys under a prefix, and only those."""
        for key in ("submissions/s1/originals/b.docx", "submissions/s1/originals/a.pdf",
                    "submissions/s1/derived/x/p1.png", "submissions/s2/originals/c.doc"):
            store.put_bytes(key, b"1")
        assert list(store.list("submissions/s1/originals/")) == [
            "submissions/s1/originals/a.pdf", "submissions/s1/originals/b.docx"]
        assert len(list(store.list("submissions/"))) == 4
        assert list(store.list("submissions/s1/derived")) == ["submissions/s1/derived/x/p1.png"]

    @pytest.mark.parametrize("key", ["../escape.txt", "a/../../b", "/abs/path", "a//b", "a\\b",
                                     "", "a/./b", "名字.docx"])
    def test_refuses_keys_leaving_the_root(self, store: ObjectStore, key: str) -> None:
        """Keys with '..', absolute paths, backslashes or odd characters are refused."""
        with pytest.raises(StoreError):
            store.put_bytes(key, b"1")


class TestKeys:
    def test_layout(self) -> None:
        """Originals are named by their sha256; derived files sit beside them."""
        sha = "ab" * 32
        assert original_key("s1", sha, ".docx") == f"submissions/s1/originals/{sha}.docx"
        assert derived_key("s1", f"{sha}/page-1.png") == f"submissions/s1/derived/{sha}/page-1.png"

    @pytest.mark.parametrize("name,ext", [("推荐表.DOCX", ".docx"), ("../../x.docx", ".docx"),
                                          ("noext", ""), (".bashrc", ""), ("a.tar.gz", ".gz"),
                                          ("evil.d/o\\c", ""), ("x.docx ", "")])
    def test_safe_ext(self, name: str, ext: str) -> None:
        """Only a plain extension of the user's name reaches a key."""
        assert safe_ext(name) == ext


class TestOpenStore:
    def test_folder_by_default(self, settings: Settings) -> None:
        """Embedded settings give a folder store under data_dir, without a warning."""
        store = open_store(settings)
        assert type(store).__name__ == "FolderStore"
        assert str(store.root).startswith(str(settings.data_dir.resolve()))  # type: ignore[attr-defined]

    def test_folder_warns_outside_development(self, settings: Settings,
                                              caplog: pytest.LogCaptureFixture) -> None:
        """A folder store beside a server database is logged as development-only."""
        prod = settings.model_copy(update={"database_url": "postgresql+psycopg://x@127.0.0.1/db"})
        with caplog.at_level(logging.WARNING, logger="storage.folder_store"):
            open_store(prod)
        assert "development" in caplog.text

    def test_unknown_scheme(self, settings: Settings) -> None:
        with pytest.raises(StoreError):
            open_store(settings.model_copy(update={"storage_url": "ftp://x/y"}))

    @pytest.mark.services
    def test_minio_creates_its_bucket(self, s3_settings: Settings) -> None:
        """The bucket is made on first use; a second store on it works too."""
        open_store(s3_settings).put_bytes("k", b"v")
        assert open_store(s3_settings).get("k") == b"v"
