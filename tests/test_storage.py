"""lvseg.storage: the same small file API on local paths and on gs:// (against the local emulator)."""

from __future__ import annotations

import pytest

from lvseg import storage


def test_paths():
    assert storage.is_gcs("gs://b/k") and not storage.is_gcs("/tmp/gs://x")
    assert storage.join("gs://b/root", "Videos", "a.avi") == "gs://b/root/Videos/a.avi"
    assert storage.join("gs://b", "x") == "gs://b/x"
    assert storage.join("/data/root", "FileList.csv") == "/data/root/FileList.csv"
    assert storage.split_gcs("gs://bucket/a/b.txt") == ("bucket", "a/b.txt")
    assert storage.split_gcs("gs://bucket") == ("bucket", "")
    with pytest.raises(ValueError):
        storage.split_gcs("gs:///key")


def _round_trip(root: str) -> None:
    path = storage.join(root, "dir", "file.csv")
    assert not storage.exists(path)
    with pytest.raises(FileNotFoundError):
        storage.read_bytes(path)
    storage.write_text(path, "\ufeffFileName,EF\nx,1\n")  # a BOM, as Excel writes CSVs
    assert storage.exists(path)
    assert storage.read_text(path) == "FileName,EF\nx,1\n"
    assert storage.size(path) == len("\ufeffFileName,EF\nx,1\n".encode("utf-8"))
    storage.write_bytes(path, b"\x00\xff")  # overwrite
    assert storage.read_bytes(path) == b"\x00\xff" and storage.size(path) == 2
    storage.write_bytes(storage.join(root, "dir", "empty.avi"), b"")
    assert storage.size(storage.join(root, "dir", "empty.avi")) == 0
    storage.write_bytes(storage.join(root, "dir", "sub", "deep.bin"), b"1")
    storage.write_bytes(storage.join(root, "dir2", "other.bin"), b"2")  # shares the "dir" prefix as a string
    assert storage.list_files(storage.join(root, "dir")) == [
        storage.join(root, "dir", "empty.avi"), storage.join(root, "dir", "file.csv"),
        storage.join(root, "dir", "sub", "deep.bin")]


def test_local_round_trip(tmp_path):
    _round_trip(str(tmp_path))


def test_gcs_round_trip(gcs_bucket):
    _round_trip(storage.join(gcs_bucket, "prefix"))
    assert len(storage.list_files(gcs_bucket)) == 4  # the bucket root lists everything


def test_gcs_client_is_anonymous_against_the_emulator(gcs_server):
    from google.auth.credentials import AnonymousCredentials

    client = storage.gcs_client()
    assert isinstance(client._credentials, AnonymousCredentials)
    assert gcs_server.startswith("http://127.0.0.1:")
