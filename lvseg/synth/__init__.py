"""Synthetic EchoNet-Dynamic and CAMUS-format datasets: the built-in default every test and demo runs on.

``generate_echonet(out, videos, seed, style="train", truth=False, ...)`` writes FileList.csv,
VolumeTracings.csv and Videos/*.avi (and FrameVolumes.csv with ``truth``); ``generate_camus(out,
patients, seed)`` writes the CAMUS 2023 .nii.gz layout. Both are deterministic: the same arguments give
byte-identical files. Geometry: sampling (real distributions, ids, timing), anatomy (chamber shapes and
the cycle), motion (probe and breathing), plan (one video's geometry). Appearance: labels (anatomy
label maps), style (appearance ranges and presets), bmode (B-mode simulation), randomize (domain
randomization), display (scan conversion, overlays), render (one clip). Writers: clips (one video),
make_echonet / make_camus (datasets), faults (one bad input per reject reason), truth (every frame's LV).
Tools: stats (``lvseg synth stats``), preview (contact sheets), cli. See docs/synthetic_data.md.
"""

from __future__ import annotations

from lvseg.synth.clips import MM_PER_PIXEL
from lvseg.synth.make_echonet import generate_echonet


def generate_camus(out: str, patients: int, seed: int = 0) -> dict:
    """Write a synthetic CAMUS 2023-layout dataset (4CH ED/ES images and label maps); see lvseg.synth.make_camus."""
    from lvseg.synth.make_camus import generate_camus as _generate

    return _generate(out, patients, seed)


__all__ = ["MM_PER_PIXEL", "generate_camus", "generate_echonet"]
