"""Reading the dataset's CSV files: every physical line becomes a row of text fields or the reason it is not one.

Lines are parsed one at a time. EchoNet's CSVs never quote a newline, so a line with an unbalanced quote
is one bad row instead of swallowing every row after it; a line that is not UTF-8, or has more or fewer
fields than the header, is a bad row too. A bad row keeps its line number and, where it can be read, its
first field (the FileName), so the reader can reject exactly that video, by name, and nothing else. Only
a file that is missing, or whose header is not the expected one, raises: then nothing in it can be trusted.
Numbers are parsed here too (``number``), never raising: non-finite and non-integral values are errors.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass

from lvseg import storage
from lvseg.errors import UserError

NAME_LIMIT = 100  # EchoNet FileNames have 15-18 characters; a longer "name" is another field or garbage
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,%d}" % (NAME_LIMIT - 1))


def is_plain_name(name: str) -> bool:
    """A name that can be a FileName: letters, digits, ``_.-``, at most NAME_LIMIT characters."""
    return bool(_NAME.fullmatch(name))
_BOM = b"\xef\xbb\xbf"


class DatasetFormatError(UserError, ValueError):
    """A dataset CSV that is missing or whose header is not the EchoNet one; names the file (and the columns)."""


@dataclass(frozen=True)
class Row:
    """One data line: its text fields by column, or (``fields`` None) why it could not be read."""

    line: int                          # 1-based physical line number in the file (the header is line 1)
    fields: dict[str, str] | None      # column -> stripped text
    name: str = ""                     # the first field where it can be read, else ""
    problem: str = ""                  # why the line is not a row, "" when it is one

    @property
    def ok(self) -> bool:
        return self.fields is not None


def read_rows(path: str, columns: list[str]) -> list[Row]:
    """Every non-blank data line of a CSV whose header must be ``columns`` (local or gs://)."""
    try:
        data = storage.read_bytes(path)
    except FileNotFoundError:
        raise DatasetFormatError(f"{path}: no such file") from None
    lines = data[len(_BOM):].split(b"\n") if data.startswith(_BOM) else data.split(b"\n")
    header = _parse_line(lines[0].rstrip(b"\r")) if lines else None
    found = [c.strip() for c in header] if isinstance(header, list) else header
    if found != columns:
        raise DatasetFormatError(f"{path}: columns found {found}, expected {columns}")
    rows = []
    for index, raw in enumerate(lines[1:], start=2):
        raw = raw.rstrip(b"\r")
        if not raw.replace(b",", b"").strip():
            continue  # blank lines (and lines of bare separators) are not rows
        rows.append(_row(index, raw, columns))
    return rows


def _parse_line(raw: bytes) -> list[str] | str:
    """The fields of one line, or a description of why it is not a CSV line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error as err:  # e.g. an unbalanced quote
        return f"not a CSV line ({err})"


def _row(line: int, raw: bytes, columns: list[str]) -> Row:
    parsed = _parse_line(raw)
    if isinstance(parsed, str):
        return Row(line, None, _first_field(raw), parsed)
    if len(parsed) != len(columns):
        name = parsed[0].strip() if parsed else ""
        return Row(line, None, name if is_plain_name(name) else "", f"{len(parsed)} fields, expected {len(columns)}")
    return Row(line, dict(zip(columns, (c.strip() for c in parsed))), parsed[0].strip())


def _first_field(raw: bytes) -> str:
    """The text before the first comma when it is a plain ASCII name, else "" (never other fields' data)."""
    head = raw.split(b",", 1)[0].strip().strip(b'"').strip()
    try:
        name = head.decode("ascii")
    except UnicodeDecodeError:
        return ""
    return name if is_plain_name(name) else ""


def number(text: str, integer: bool = False) -> float | int | None:
    """A finite number (an integral one when ``integer``; "112.0" counts), or None when the text is not one."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    if integer:
        return int(value) if value.is_integer() else None
    return value
