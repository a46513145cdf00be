"""``lvseg inspect SOURCE``: report what a dataset or a folder of videos holds and what it would reject.

An EchoNet-layout dataset (FileList.csv): counts per split and rejects per reason; every video is decoded
(``--no-decode`` checks only the CSVs). Prints counts only: video FileNames appear for rejects, never any
other patient data. Any other folder (or one file) of videos, as ``lvseg analyze --videos`` takes it: one
line per entry saying what it is (an EchoNet AVI; or a scanner export's container and transfer syntax,
size, frames, frame rate and its origin, pixel spacing or none, the sector found and the crop and scale the
EchoNet rule would apply: lvseg.datasets.scanner.describe) or why it would be rejected.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from lvseg import flags, storage
from lvseg.datasets.echonet import load_task, plan_dataset
from lvseg.datasets.filelist import FILELIST
from lvseg.datasets.rejects import Reject, reason_counts
from lvseg.datasets.scanner.clip_input import is_echonet_avi, load_for_analysis, localized
from lvseg.datasets.scanner.describe import describe_clip, describe_line
from lvseg.datasets.video_plan import plan_videos


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


def inspect_videos(source: str, fallback_fps: float | None = None) -> dict:
    """Every entry of a plain video source (lvseg.datasets.video_plan): what it is, or its reject."""
    plan = plan_videos(source)
    entries: dict[str, dict] = {}
    for task in plan.tasks:
        if is_echonet_avi(task):
            clip = load_for_analysis(task, fallback_fps)
            entries[task.video_id] = ({"status": "rejected", "reason": clip.reason.value, "detail": clip.detail}
                                      if isinstance(clip, Reject) else
                                      {"status": "ok", "kind": "echonet", "frames": len(clip.frames),
                                       "fps": round(clip.fps, 3), "fps_origin": clip.fps_origin})
        else:
            with localized(task.path) as local:
                entries[task.video_id] = describe_clip(local, fallback_fps)
    for reject in plan.rejects:
        entries[reject.video_id] = {"status": "rejected", "reason": reject.reason.value, "detail": reject.detail}
    rejects = [{"video_id": k, **v} for k, v in entries.items() if v["status"] != "ok"]
    return {"input_videos": plan.input_videos, "usable_videos": len(entries) - len(rejects),
            "rejected": reason_counts(rejects), "videos": dict(sorted(entries.items()))}


def _entry_line(name: str, info: dict) -> str:
    if info["status"] == "ok" and info.get("kind") == "echonet":
        return f"{name}: EchoNet AVI, 112x112, {info['frames']} frames, {info['fps']:g} fps ({info['fps_origin']})"
    return describe_line(name, info)


def main(argv: list[str] | None = None) -> int:
    parser = flags.ArgumentParser(prog="lvseg inspect", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="EchoNet-layout root, or a folder (or file) of videos; local or gs://")
    parser.add_argument("--decode", action=argparse.BooleanOptionalAction, default=True,
                        help="decode every video (default) or check only the CSVs (EchoNet layout)")
    parser.add_argument("--fps", type=flags.checked(float, {"above": 0}), default=None,
                        help="frame rate of the videos whose files state none (as lvseg analyze --fps)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    videos = None
    if not storage.exists(storage.join(args.dataset, FILELIST)):
        try:
            videos = inspect_videos(args.dataset, args.fps)
        except FileNotFoundError:  # no video either: the dataset reader names what is missing
            videos = None
    if videos is not None:
        if args.json:
            print(json.dumps(videos, indent=2))
            return 0
        print(f"input videos: {videos['input_videos']}, usable {videos['usable_videos']}")
        for name, info in videos["videos"].items():
            print("  " + _entry_line(name, info))
        return 0
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
