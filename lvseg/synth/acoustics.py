"""What each tissue class does to sound, per clip: scattering level, impedance step, scatterer density, extinction.

The B-mode simulation (lvseg.synth.bmode) looks every label raster pixel up in these tables; a clip's Look
(lvseg.synth.style) moves the levels, the leaflets' visibility and the annulus' brightness.
"""

from __future__ import annotations

import numpy as np

from lvseg.synth import labels as L
from lvseg.synth.style import Look

# acoustic impedance contrast per class (arbitrary units: a step of 1 reflects at the specular level)
IMPEDANCE = {L.EXTRA: 0.9, L.LV_BLOOD: 0.0, L.LV_TRABECULAE: 0.4, L.LV_MYO: 0.3, L.SEPTUM: 0.8, L.RV_BLOOD: 0.0,
             L.RV_WALL: 0.7, L.LA_BLOOD: 0.0, L.RA_BLOOD: 0.0, L.ATRIAL_WALL: 0.7, L.MITRAL: 1.0, L.TRICUSPID: 0.9,
             L.PERICARDIUM: 2.0, L.LUNG: 6.0, L.ANNULUS: 1.2, L.LV_NONCOMPACT: 0.4, L.LV_RECESS: 0.0}
# share of samples holding a scatterer (a resolution cell spans ~10 samples): trabeculae, pericardium and
# valves are sparse, bright, spotty reflectors; blood and tissue are fully developed speckle
DENSITY = {L.LV_TRABECULAE: 0.15, L.LV_NONCOMPACT: 0.15, L.PERICARDIUM: 0.3, L.MITRAL: 0.4, L.TRICUSPID: 0.4,
           L.ANNULUS: 0.5}
EXTINCTION_DB = {L.LUNG: 6.0}  # extra one-way loss per anatomy px (air: nothing passes)


def class_levels(look: Look) -> np.ndarray:
    """Linear scattering amplitude per class (myocardium = 1)."""
    db = np.zeros(len(L.CLASSES))
    lv = look.levels_db
    for cls in L.BLOOD_CLASSES:
        db[cls] = lv["blood"]
    db[L.LV_TRABECULAE] = db[L.LV_NONCOMPACT] = lv["trabeculae"]
    db[L.SEPTUM], db[L.EXTRA] = lv["septum"], lv["extracardiac"]
    db[L.RV_WALL], db[L.ATRIAL_WALL], db[L.PERICARDIUM] = lv["rv_wall"], lv["atrial_wall"], lv["pericardium"]
    db[L.MITRAL] = db[L.TRICUSPID] = lv["valve"] + 20.0 * np.log10(max(look.valve_visibility, 0.01))
    db[L.LA_BLOOD], db[L.ANNULUS] = lv["la_blood"], lv["annulus"]
    db[L.LUNG] = -6.0
    return (10.0 ** (db / 20.0)).astype(np.float32)


def impedance_table(look: Look) -> np.ndarray:
    """Acoustic impedance step per class: faint leaflets reflect less, a faint annulus hardly at all."""
    steps = table(IMPEDANCE, 0.0)
    steps[[L.MITRAL, L.TRICUSPID]] *= np.float32(look.valve_visibility)
    steps[L.ANNULUS] *= np.float32(np.clip((look.levels_db["annulus"] + 4.0) / 10.0, 0.0, 1.4))
    return steps


def table(values: dict, default: float) -> np.ndarray:
    """A per-class float32 lookup table from {class: value}, ``default`` elsewhere."""
    out = np.full(len(L.CLASSES), default, np.float32)
    for cls, v in values.items():
        out[cls] = v
    return out
