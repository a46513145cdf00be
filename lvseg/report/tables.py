"""What every report launcher reads and prints: the job's JSON-lines rows and the fixed-width headline table.

The Beam jobs (evaluate, analyze) write their rows as JSON lines under the run's work folder; the
launcher reads them back here, and prints the headline of summary.json as a text table on the console.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from lvseg import storage


def read_jsonl(path: str) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file, local or gs://; no file means no rows (the job wrote none)."""
    try:
        text = storage.read_text(path)
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def text_table(head: Sequence[str], rows: Sequence[Sequence[str]], left_columns: int = 1) -> str:
    """A fixed-width text table: the first ``left_columns`` columns (names) left-aligned, the rest (numbers)
    right-aligned, columns two spaces apart."""
    table = [list(head)] + [list(row) for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) if i < left_columns else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))) for row in table)
