"""Synthetic EchoNet-Dynamic and CAMUS-format datasets: the built-in default every test and demo runs on.

``generate_echonet(out, videos, seed)`` writes FileList.csv, VolumeTracings.csv and Videos/*.avi;
``generate_camus(out, patients, seed)`` writes the CAMUS 2023 .nii.gz layout. Both are deterministic:
the same arguments give byte-identical files. Modules: sampling (real distributions, ids, timing),
anatomy (chamber shapes and motion), render (ultrasound appearance), echonet / camus (writers),
faults (one bad input per reject reason), stats (measured image statistics), preview, cli.
"""

from __future__ import annotations

from lvseg.synth.echonet import MM_PER_PIXEL, generate_echonet


def generate_camus(out: str, patients: int, seed: int = 0) -> dict:
    """Write a synthetic CAMUS 2023-layout dataset (4CH ED/ES images and label maps); see lvseg.synth.camus."""
    from lvseg.synth.camus import generate_camus as _generate

    return _generate(out, patients, seed)


__all__ = ["MM_PER_PIXEL", "generate_camus", "generate_echonet"]
