"""Write a synthetic CAMUS dataset (2023 NIfTI layout), deliberately "from another scanner".

Per patient folder ``patientXXXX/``: ``patientXXXX_4CH_ED.nii.gz``, ``_4CH_ES.nii.gz`` (uint8 images),
``_4CH_ED_gt.nii.gz``, ``_4CH_ES_gt.nii.gz`` (labels 0 background, 1 LV cavity, 2 LV myocardium,
3 left atrium) and ``Info_4CH.cfg`` ("ED: 1", "ES: 14", "NbFrame: 18", "ImageQuality: Good", ...).
The anatomy, label maps and B-mode simulation are EchoNet's (lvseg.synth.anatomy / labels / bmode)
with another frame geometry and another scanner: larger, non-square images (540-620 rows x 420-480
columns), the LV centred and bigger in the frame, no probe motion, and the ``camus`` style (a higher
frequency with finer speckle, a wider dynamic range, weaker TGC, a narrow sector, no overlays, no domain
randomization). Labels come from the same label map (LV cavity = the LV contour with its trabeculae,
myocardium = LV wall and septum, left atrium = LA blood and the mitral valve). Half-sequence files are
not written.

Orientation: like the real CAMUS 2023 files, arrays are stored NIfTI-style with x (the image column)
first, i.e. the (rows, cols) image is written transposed; lvseg.datasets.camus transposes back. The pixel
spacing (0.3 mm, isotropic) goes into the affine. Files are gzip'ed with mtime 0, so the same seed
gives byte-identical output.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from lvseg.synth import labels as L
from lvseg.synth import sampling
from lvseg.synth.anatomy import sample_heart
from lvseg.synth.labels import draw_extras, frame_anatomy
from lvseg.synth.motion import Similarity
from lvseg.synth.render import render_clip
from lvseg.synth.style import STYLES, draw_look

ROWS, COLS = (540, 620), (420, 480)
SPACING_MM = 0.3
QUALITIES = ("Good", "Medium", "Poor")


def camus_labels(classes: np.ndarray) -> np.ndarray:
    """lvseg.synth.labels classes -> CAMUS labels: 1 LV cavity, 2 LV myocardium, 3 left atrium, 0 else."""
    table = np.zeros(len(L.CLASSES), np.uint8)
    table[list(L.LV_CLASSES)] = 1
    table[[L.LV_MYO, L.SEPTUM, L.LV_NONCOMPACT, L.LV_RECESS]] = 2
    table[[L.LA_BLOOD, L.MITRAL, L.ANNULUS]] = 3
    return table[classes]


def nifti_gz(array: np.ndarray) -> bytes:
    """A (rows, cols) array as .nii.gz bytes, stored transposed (x first) like the real CAMUS files."""
    import nibabel as nib

    affine = np.diag([SPACING_MM, SPACING_MM, 1.0, 1.0])
    image = nib.Nifti1Image(np.ascontiguousarray(array.T), affine)
    image.header.set_xyzt_units("mm")
    return gzip.compress(image.to_bytes(), compresslevel=6, mtime=0)


def make_patient(out: str, seed: int, number: int) -> dict:
    """Render and write one patient's 4CH ED/ES images, labels and Info_4CH.cfg."""
    rng = sampling.video_rng(seed, number, "camus")
    patient = f"patient{number:04d}"
    ef = sampling.draw_ef(rng)
    heart = sample_heart(rng, ef)
    shape = (int(rng.integers(*ROWS)), int(rng.integers(*COLS)))
    scale = shape[0] / 112.0 * rng.uniform(0.82, 0.95)
    lv_mid = (heart.lv_ed.apex + heart.lv(1.0).base_mid) / 2.0
    to_image = Similarity(scale, 0.0, (shape[1] / 2.0 - scale * lv_mid[0] + rng.uniform(-0.03, 0.03) * shape[1],
                                       rng.uniform(-0.04, 0.0) * shape[0]))
    look = draw_look(rng, STYLES["camus"], shape, scale)
    extras = draw_extras(rng, look.trabeculae, look.papillary, look.lung, look.systolic_opening,
                         look.traced_share)
    anatomy = [frame_anatomy(heart, c, 0.0, to_image) for c in (1.0, 0.0)]
    frames, labels = render_clip(anatomy.__getitem__, 2, look, extras, rng, shape, raster_k=1, keep_labels=True)
    folder = os.path.join(out, patient)
    os.makedirs(folder, exist_ok=True)
    for phase, image, classes in zip(("ED", "ES"), frames, labels):
        stem = os.path.join(folder, f"{patient}_4CH_{phase}")
        with open(stem + ".nii.gz", "wb") as handle:
            handle.write(nifti_gz(image))
        with open(stem + "_gt.nii.gz", "wb") as handle:
            handle.write(nifti_gz(camus_labels(classes)))
    n_frames = int(rng.integers(14, 31))
    es = int(rng.integers(max(2, n_frames // 2), n_frames + 1))
    info = {"ED": 1, "ES": es, "NbFrame": n_frames, "Sex": "MF"[int(rng.integers(2))], "Age": int(rng.integers(20, 90)),
            "ImageQuality": QUALITIES[int(rng.choice(3, p=[0.5, 0.35, 0.15]))], "EF": round(ef, 1),
            "FrameRate": round(float(rng.uniform(30, 60)), 1)}
    with open(os.path.join(folder, "Info_4CH.cfg"), "w") as handle:
        handle.write("".join(f"{k}: {v}\n" for k, v in info.items()))
    return {"patient": patient, "shape": shape}


def generate_camus(out: str, patients: int, seed: int = 0) -> dict:
    """Write ``patients`` synthetic CAMUS patients (patient0001...) under ``out``; returns a summary."""
    os.makedirs(out, exist_ok=True)
    written = [make_patient(out, seed, number) for number in range(1, patients + 1)]
    return {"out": out, "patients": len(written), "seed": seed, "shapes": [list(p["shape"]) for p in written]}
