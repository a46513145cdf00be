"""Property: whatever is done to a dataset's CSV text, AVI bytes or Videos/ entries, ``lvseg inspect`` ends
with exit 0 and counts that add up, or, only when a CSV header is no longer EchoNet's, a one-line error.
It never raises, never hangs, and a reject never carries another row's data in its video id.

The suite runs a fixed (derandomized) set of examples so CI is repeatable; a longer random campaign:
``LVSEG_FUZZ_EXAMPLES=2000 LVSEG_FUZZ_RANDOM=1 pytest tests/datasets/test_fuzz.py -s`` (it prints its counts).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lvseg import cli
from tests.datasets.factory import Dataset

EXAMPLES = int(os.environ.get("LVSEG_FUZZ_EXAMPLES", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("LVSEG_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HANG_SECONDS = 30
RAN: Counter = Counter()
TOKENS = [b"", b"nan", b"inf", b"-inf", b"-1", b"1e309", b"0x1F", b'"', b'""', b"\xff\xfe", b"0X../../etc",
          b",,,", b"\r", b"\n", b"9" * 400, b"TRAIN", b"1.5"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz_base")
    Dataset(root, n=3).write()
    yield root
    print(f"\nfuzz: mutated inputs run: {dict(RAN)}, total {sum(RAN.values())}")


def fresh(base: Path, tmp_path: Path) -> Path:
    """A new copy of the base dataset per example (hypothesis reuses the test's tmp_path)."""
    root = tmp_path / f"example{sum(RAN.values())}"
    shutil.copytree(base, root, symlinks=True)
    return root


def inspect(root: Path) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``lvseg inspect ROOT --json``, killed if it ever hangs."""
    def hang(signum, frame):
        raise TimeoutError(f"inspect ran for more than {HANG_SECONDS} s")
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["inspect", str(root), "--json"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def check(root: Path, header_intact: bool) -> None:
    code, out, err = inspect(root)
    if code == 2:
        assert not header_intact, f"a one-line error although both headers are intact: {err}"
        assert err.startswith("lvseg inspect: error: ") and err.count("\n") == 1, err
        return
    assert code == 0, err
    report = json.loads(out)
    assert report["input_videos"] == sum(report["usable_videos"].values()) + len(report["rejects"])
    for reject in report["rejects"]:
        assert "," not in reject["video_id"] and "\n" not in reject["video_id"], reject
        assert len(reject["video_id"]) <= 120, reject


def headers_intact(root: Path, base: Path) -> bool:
    return all((root / n).read_bytes().split(b"\n", 1)[0] == (base / n).read_bytes().split(b"\n", 1)[0]
               for n in ("FileList.csv", "VolumeTracings.csv"))


csv_edit = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(TOKENS) | st.binary(max_size=12)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 60)),
    st.tuples(st.just("duplicate_line"), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just("swap_lines"), st.floats(0, 1), st.floats(0, 1)),
    st.tuples(st.just("replace_field"), st.floats(0, 1), st.sampled_from(TOKENS)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just("crlf"), st.just(0.0), st.just(b"")),
)


def apply_csv(data: bytes, edit) -> bytes:
    kind, where, arg = edit
    at = int(where * len(data))
    lines = data.split(b"\n")
    line = min(int(where * len(lines)), len(lines) - 1)
    if kind == "insert":
        return data[:at] + arg + data[at:]
    if kind == "delete":
        return data[:at] + data[at + arg:]
    if kind == "duplicate_line":
        return b"\n".join(lines[:line + 1] + lines[line:])
    if kind == "swap_lines":
        other = min(int(arg * len(lines)), len(lines) - 1)
        lines[line], lines[other] = lines[other], lines[line]
        return b"\n".join(lines)
    if kind == "replace_field":
        fields = lines[line].split(b",")
        fields[int(where * 997) % len(fields)] = arg
        lines[line] = b",".join(fields)
        return b"\n".join(lines)
    if kind == "truncate":
        return data[:at]
    return data.replace(b"\n", b"\r\n")


@FUZZ
@given(name=st.sampled_from(["FileList.csv", "VolumeTracings.csv"]), edits=st.lists(csv_edit, min_size=1, max_size=4))
def test_mutated_csv_text_never_breaks_inspect(base, tmp_path, name, edits):
    RAN["csv"] += 1
    root = fresh(base, tmp_path)
    data = (root / name).read_bytes()
    for edit in edits:
        data = apply_csv(data, edit)
    (root / name).write_bytes(data)
    check(root, headers_intact(root, base))


avi_edit = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("zero_span"), st.floats(0, 1), st.integers(1, 2000)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("replace_all"), st.just(0.0), st.binary(max_size=300)),
)


def apply_avi(data: bytes, edit) -> bytes:
    kind, where, arg = edit
    at = min(int(where * len(data)), max(len(data) - 1, 0))
    if kind == "truncate":
        return data[:at]
    if kind == "flip" and data:
        return data[:at] + bytes([data[at] ^ arg]) + data[at + 1:]
    if kind == "zero_span":
        return data[:at] + bytes(min(arg, len(data) - at)) + data[at + arg:]
    if kind == "insert":
        return data[:at] + arg + data[at:]
    return arg if kind == "replace_all" else data


@FUZZ
@given(video=st.integers(0, 2), edits=st.lists(avi_edit, min_size=1, max_size=3))
def test_mutated_avi_bytes_never_break_inspect(base, tmp_path, video, edits):
    RAN["avi"] += 1
    root = fresh(base, tmp_path)
    path = sorted((root / "Videos").glob("*.avi"))[video]
    data = path.read_bytes()
    for edit in edits:
        data = apply_avi(data, edit)
    path.write_bytes(data)
    check(root, header_intact=True)


@settings(FUZZ, max_examples=min(EXAMPLES, 30))
@given(video=st.integers(0, 2), kind=st.sampled_from(["directory", "fifo", "symlink_out", "broken_symlink",
                                                      "symlink_dir_out", "missing"]))
def test_hostile_videos_entries_never_break_inspect(base, tmp_path, video, kind):
    RAN["entry"] += 1
    root = fresh(base, tmp_path)
    path = sorted((root / "Videos").glob("*.avi"))[video]
    path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink_out":
        path.symlink_to(sorted((base / "Videos").glob("*.avi"))[video])
    elif kind == "broken_symlink":
        path.symlink_to(root / "nowhere.avi")
    elif kind == "symlink_dir_out":
        path.symlink_to("/")
    check(root, header_intact=True)
