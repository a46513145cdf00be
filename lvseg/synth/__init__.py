"""Synthetic EchoNet-Dynamic and CAMUS-format datasets: the built-in default every test and demo runs on.

``generate_echonet(out, videos, seed)`` writes FileList.csv, VolumeTracings.csv and Videos/*.avi;
``generate_camus(out, patients, seed)`` writes the CAMUS 2023 .nii.gz layout. Both are deterministic:
the same arguments give byte-identical files. Modules: sampling (real distributions, ids, timing),
anatomy (chamber shapes and motion), render (ultrasound appearance), clips (one video),
make_echonet / make_camus (dataset writers), faults (one bad input per reject reason),
stats (measured image statistics, ``lvseg synth stats``), preview, cli.
"""

from __future__ import annotations

from lvseg.synth.clips import MM_PER_PIXEL
from lvseg.synth.make_echonet import generate_echonet


def generate_camus(out: str, patients: int, seed: int = 0) -> dict:
    """Write a synthetic CAMUS 2023-layout dataset (4CH ED/ES images and label maps); see lvseg.synth.make_camus."""
    from lvseg.synth.make_camus import generate_camus as _generate

    return _generate(out, patients, seed)


__all__ = ["MM_PER_PIXEL", "generate_camus", "generate_echonet"]
