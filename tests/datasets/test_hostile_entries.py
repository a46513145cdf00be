"""Entries in Videos/ that are not regular files: each is a named reject, none hangs or fails the whole read.

Decision (documented in lvseg.datasets.video and README): a video must be a regular file that resolves
inside the folder it is listed in. The Videos folder itself may be a symlink (a dataset on another disk),
and a symlink to a file inside the folder is fine; a symlink that leads elsewhere is refused, because the
dataset's own files are all the pipeline may read (and store in records).
"""

from __future__ import annotations

import os
import stat

import pytest

from lvseg.datasets.echonet import EchoVideo, iter_dataset
from lvseg.datasets.rejects import Reject
from tests.datasets.factory import Dataset, write_avi


def outcome(ds: Dataset) -> dict[str, str]:
    """video id -> 'ok' or the reject reason, for every input video."""
    items = list(iter_dataset(ds.write()))
    assert len(items) == len(ds.filelist)
    return {i.video_id: "ok" if isinstance(i, EchoVideo) else i.reason.value for i in items}


@pytest.mark.timeout(30)  # a FIFO once hung the reader forever
def test_a_fifo_named_like_a_video_is_refused_without_opening_it(tmp_path):
    ds = Dataset(tmp_path / "d", n=2)
    ds.videos[ds.names[0]] = None
    ds.after_write.append(lambda root: os.mkfifo(ds.video_path(0)))
    assert outcome(ds) == {ds.names[0]: "video_not_a_file", ds.names[1]: "ok"}


def test_a_device_named_like_a_video_is_refused(tmp_path):
    ds = Dataset(tmp_path / "d", n=2)
    ds.videos[ds.names[0]] = None
    try:
        ds.after_write.append(lambda root: os.mknod(ds.video_path(0), stat.S_IFCHR | 0o600, os.makedev(1, 3)))
        result = outcome(ds)
    except PermissionError:
        pytest.skip("creating a device node needs root")
    assert result[ds.names[0]] == "video_not_a_file"


def test_symlinks_inside_the_folder_and_a_symlinked_folder_are_fine(tmp_path):
    elsewhere = tmp_path / "big-disk" / "Videos"
    ds = Dataset(tmp_path / "d", n=2)

    def relocate(root):
        (root / "Videos").rename(elsewhere.parent.mkdir(parents=True) or elsewhere)
        (root / "Videos").symlink_to(elsewhere)  # the whole folder lives on another disk
        (elsewhere / "original.avi").write_bytes((elsewhere / f"{ds.names[1]}.avi").read_bytes())
        (elsewhere / f"{ds.names[1]}.avi").unlink()
        (elsewhere / f"{ds.names[1]}.avi").symlink_to("original.avi")  # a link within the folder
    ds.after_write.append(relocate)
    assert outcome(ds) == {ds.names[0]: "ok", ds.names[1]: "ok"}


def test_a_symlink_out_of_the_folder_is_refused_and_a_broken_one_is_missing(tmp_path):
    ds = Dataset(tmp_path / "d", n=3)

    def links(root):
        write_avi(tmp_path / "private.avi")
        ds.video_path(0).unlink()
        ds.video_path(0).symlink_to(tmp_path / "private.avi")
        ds.video_path(1).unlink()
        ds.video_path(1).symlink_to(root / "Videos" / "gone.avi")
    ds.after_write.append(links)
    assert outcome(ds) == {ds.names[0]: "video_outside_dataset", ds.names[1]: "video_missing", ds.names[2]: "ok"}


def test_a_symlinked_folder_loop_does_not_trap_the_input_fingerprint(tmp_path):
    from beam_pipelines.provenance import input_fingerprint

    ds = Dataset(tmp_path / "d", n=2)
    ds.after_write.append(lambda root: (root / "Videos" / "loop").symlink_to(root))
    root = ds.write()
    assert input_fingerprint(root).startswith("sha256:")
    assert all(isinstance(i, (EchoVideo, Reject)) for i in iter_dataset(root))
