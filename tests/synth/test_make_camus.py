"""The synthetic CAMUS writer: 2023 layout, labels, orientation, round trip through the CAMUS reader, determinism."""

from __future__ import annotations

import filecmp
import os

import cv2
import nibabel as nib
import numpy as np
import pytest

from lvseg.datasets.camus import iter_camus, read_nifti
from lvseg.synth import generate_camus

PATIENTS = 3


@pytest.fixture(scope="module")
def camus(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp("synth_camus"))
    summary = generate_camus(root, patients=PATIENTS, seed=4)
    assert summary["patients"] == PATIENTS
    return root


def test_layout_and_info_file(camus):
    assert sorted(os.listdir(camus)) == [f"patient{i:04d}" for i in range(1, PATIENTS + 1)]
    for patient in os.listdir(camus):
        names = set(os.listdir(os.path.join(camus, patient)))
        assert names == {f"{patient}_4CH_{p}{gt}.nii.gz" for p in ("ED", "ES") for gt in ("", "_gt")} | {"Info_4CH.cfg"}
        with open(os.path.join(camus, patient, "Info_4CH.cfg")) as handle:
            info = dict(line.rstrip("\n").split(": ", 1) for line in handle)
        assert info["ED"] == "1" and 1 < int(info["ES"]) <= int(info["NbFrame"])
        assert info["ImageQuality"] in ("Good", "Medium", "Poor")


def test_images_are_large_non_square_and_stored_transposed(camus):
    shapes = set()
    for patient in os.listdir(camus):
        path = os.path.join(camus, patient, f"{patient}_4CH_ED.nii.gz")
        stored = nib.load(path)
        assert stored.get_data_dtype() == np.uint8
        image = read_nifti(path)
        assert image.shape == stored.shape[::-1]  # NIfTI keeps the column axis first
        rows, cols = image.shape
        assert 540 <= rows < 620 and 420 <= cols < 480
        shapes.add(image.shape)
        # the sector's apex is at the top centre of the displayed (rows, cols) image
        assert image[: rows // 10, : cols // 5].max() == 0 and image[rows // 20 : rows // 8, cols // 2].mean() > 0
        assert np.allclose(stored.header.get_zooms()[:2], 0.3)
    assert len(shapes) == PATIENTS


def test_labels_have_the_camus_meaning(camus):
    for patient in os.listdir(camus):
        ed = read_nifti(os.path.join(camus, patient, f"{patient}_4CH_ED_gt.nii.gz"))
        es = read_nifti(os.path.join(camus, patient, f"{patient}_4CH_ES_gt.nii.gz"))
        image = read_nifti(os.path.join(camus, patient, f"{patient}_4CH_ED.nii.gz"))
        for labels in (ed, es):
            assert set(np.unique(labels)) == {0, 1, 2, 3}
            rows = {k: np.nonzero(labels == k)[0].mean() for k in (1, 2, 3)}
            assert rows[3] > rows[1]  # the left atrium is below the LV
            lv = (labels == 1).astype(np.uint8)
            ring = cv2.dilate(lv, np.ones((5, 5), np.uint8)) - lv
            assert np.isin(labels[ring > 0], (2, 3)).mean() > 0.9  # the cavity is wrapped in myocardium / LA
        assert (ed == 1).sum() > 1.2 * (es == 1).sum()
        assert image[ed == 1].mean() < image[ed == 2].mean() - 15  # dark cavity, brighter wall


def test_round_trip_through_the_reader(camus):
    skipped = []
    frames = list(iter_camus(camus, skipped))
    assert not skipped and len(frames) == 2 * PATIENTS
    assert [(f.patient, f.phase) for f in frames[:2]] == [("patient0001", "ED"), ("patient0001", "ES")]
    for f in frames:
        assert f.image.shape == f.mask.shape == (112, 112) and f.image.dtype == f.mask.dtype == np.uint8
        labels = read_nifti(os.path.join(camus, f.patient, f"{f.patient}_4CH_{f.phase}_gt.nii.gz"))
        expected = cv2.resize((labels == 1).astype(np.uint8), (112, 112), interpolation=cv2.INTER_NEAREST)
        assert np.array_equal(f.mask, expected) and set(np.unique(f.mask)) == {0, 1}
        assert f.image[f.mask > 0].mean() < f.image[(f.mask == 0) & (f.image > 0)].mean()  # darker than the sector


def test_same_seed_same_bytes(tmp_path):
    a, b, c = (str(tmp_path / n) for n in "abc")
    generate_camus(a, patients=1, seed=8)
    generate_camus(b, patients=1, seed=8)
    generate_camus(c, patients=1, seed=9)
    names = sorted(os.listdir(os.path.join(a, "patient0001")))
    match, mismatch, _ = filecmp.cmpfiles(os.path.join(a, "patient0001"), os.path.join(b, "patient0001"), names,
                                          shallow=False)
    assert match == names and not mismatch
    image = "patient0001_4CH_ED.nii.gz"
    assert not filecmp.cmp(os.path.join(a, "patient0001", image), os.path.join(c, "patient0001", image), shallow=False)
