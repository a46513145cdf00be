"""``lvseg synth``: generate synthetic datasets and preview them.

  lvseg synth echonet --out DIR --videos N [--seed S] [--faults] [--max-frames M] [--min-frames M] [--workers W]
                      [--style NAME] [--physiology NAME] [--truth]
  lvseg synth camus   --out DIR --patients N [--seed S]
  lvseg synth preview DIR --out FILE.png [--videos K] [--zoom Z]
  lvseg synth stats   DIR [--videos N]
  lvseg synth sheet   --out FILE.png [--styles S ...] [--videos K] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import time

from lvseg.synth.physiology import PHYSIOLOGIES
from lvseg.synth.style import STYLES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lvseg synth", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    echo = sub.add_parser("echonet", help="EchoNet-Dynamic layout: FileList.csv, VolumeTracings.csv, Videos/")
    echo.add_argument("--out", required=True)
    echo.add_argument("--videos", type=int, default=24)
    echo.add_argument("--seed", type=int, default=0)
    echo.add_argument("--faults", action="store_true", help="add one bad input per reject reason + faults.json")
    echo.add_argument("--max-frames", type=int, default=None)
    echo.add_argument("--min-frames", type=int, default=None)
    echo.add_argument("--workers", type=int, default=1, help="render videos in this many processes")
    echo.add_argument("--style", default="train", choices=tuple(STYLES),
                      help="appearance preset (lvseg.synth.style); 'train' is the training default")
    echo.add_argument("--physiology", default="train", choices=tuple(PHYSIOLOGIES),
                      help="rhythm, EF and clip-length preset (lvseg.synth.physiology); 'train' is the default mix")
    echo.add_argument("--truth", action="store_true",
                      help="also write FrameVolumes.csv (every frame's LV volume) and Beats.csv (every true beat)")
    camus = sub.add_parser("camus", help="CAMUS 2023 layout: patientXXXX/*_4CH_{ED,ES}[_gt].nii.gz, Info_4CH.cfg")
    camus.add_argument("--out", required=True)
    camus.add_argument("--patients", type=int, default=10)
    camus.add_argument("--seed", type=int, default=0)
    preview = sub.add_parser("preview", help="contact sheet of ED/ES frames with their tracings")
    preview.add_argument("dataset")
    preview.add_argument("--out", required=True)
    preview.add_argument("--videos", type=int, default=6)
    preview.add_argument("--zoom", type=int, default=3, help="enlargement of each 112x112 frame")
    sheet = sub.add_parser("sheet", help="label maps and ED/ES frames of synthetic videos in several styles")
    sheet.add_argument("--out", required=True)
    sheet.add_argument("--styles", nargs="+", default=["train", "bmode", "heldout-haze", "heldout-walls"],
                       choices=tuple(STYLES))
    sheet.add_argument("--videos", type=int, default=4)
    sheet.add_argument("--seed", type=int, default=0)
    sheet.add_argument("--zoom", type=int, default=2)
    stats = sub.add_parser("stats", help="image and geometry statistics of a dataset against the real ranges")
    stats.add_argument("dataset")
    stats.add_argument("--videos", type=int, default=0, help="use the first N videos (0 = all)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    start = time.perf_counter()
    if args.kind == "echonet":
        from lvseg.synth.make_echonet import generate_echonet

        summary = generate_echonet(args.out, args.videos, args.seed, faults=args.faults,
                                   max_frames=args.max_frames, min_frames=args.min_frames, workers=args.workers,
                                   style=args.style, truth=args.truth, physiology=args.physiology)
    elif args.kind == "camus":
        from lvseg.synth.make_camus import generate_camus

        summary = generate_camus(args.out, args.patients, args.seed)
    elif args.kind == "sheet":
        from lvseg.synth.preview import write_style_sheet

        summary = {"sheet": write_style_sheet(args.out, tuple(args.styles), args.videos, args.seed, args.zoom)}
    elif args.kind == "stats":
        from lvseg.synth.stats import print_stats

        print_stats(args.dataset, args.videos)
        return 0
    else:
        from lvseg.synth.preview import write_preview

        summary = {"preview": write_preview(args.dataset, args.out, args.videos, args.zoom)}
    summary["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(summary, indent=2))
    return 0
