"""``lvseg inspect DATASET``: read an EchoNet-layout dataset and report what it holds and what it rejects.

Decodes every video (use ``--no-decode`` to check only the CSVs). Prints counts only: video
FileNames appear for rejects, never any other patient data.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from lvseg import flags
from lvseg.datasets.echonet import load_task, plan_dataset
from lvseg.datasets.rejects import Reject, reason_counts


def inspect_dataset(root: str, decode: bool = True) -> dict:
    """Counts per split, rejects per reason and the list of rejects."""
    plan = plan_dataset(root)
    rejects = list(plan.rejects)
    written: Counter = Counter()
    for task in plan.tasks:
        result = load_task(task) if decode else None
        if isinstance(result, Reject):
            rejects.append(result)
        else:
            written[task.meta.split] += 1
    return {
        "input_videos": plan.input_videos,  # FileList rows + orphan tracings, before any decoding
        "usable_videos": dict(sorted(written.items())),
        "rejected": reason_counts([r.to_json() for r in rejects]),
        "rejects": [r.to_json() for r in rejects],
        "videos_decoded": decode,
        "csv_problems": plan.problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = flags.ArgumentParser(prog="lvseg inspect", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="dataset root (local or gs://)")
    parser.add_argument("--decode", action=argparse.BooleanOptionalAction, default=True,
                        help="decode every video (default) or check only the CSVs")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    report = inspect_dataset(args.dataset, args.decode)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"input videos: {report['input_videos']}")
    for split, n in report["usable_videos"].items():
        print(f"  {split:<5} {n} usable")
    for reason, n in report["rejected"].items():
        print(f"  rejected {reason}: {n}")
    for problem in report["csv_problems"]:
        print(f"  unattributed CSV line: {problem}")
    return 0
