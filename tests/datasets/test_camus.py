"""lvseg.datasets.camus: MetaImage and NIfTI readers, the literature resize recipe, how bad patients are skipped."""

from __future__ import annotations

import os
import zlib

import cv2
import nibabel as nib
import numpy as np
import pytest

from lvseg.datasets.camus import CamusError, iter_camus, read_mhd, read_nifti, resize_pair, wanted_file

ROWS, COLS = 40, 30


def _labels() -> np.ndarray:
    """A (rows, cols) label map: LV cavity (1) upper middle, myocardium (2) around it, LA (3) below."""
    labels = np.zeros((ROWS, COLS), np.uint8)
    labels[4:26, 7:23] = 2
    labels[6:24, 10:20] = 1
    labels[26:36, 9:21] = 3
    return labels


def _image() -> np.ndarray:
    image = np.full((ROWS, COLS), 90, np.uint8)
    image[_labels() == 1] = 10
    image[0, :] = np.arange(COLS)  # an asymmetric row marks the orientation
    return image


def write_mhd(path: str, array: np.ndarray, element: str = "MET_UCHAR", compressed: bool = False,
              big_endian: bool = False) -> None:
    """A hand-written MetaImage pair: DimSize lists x (columns) first, data row-major, x fastest."""
    raw_name = os.path.basename(path)[:-4] + (".zraw" if compressed else ".raw")
    data = array.astype(array.dtype.newbyteorder(">" if big_endian else "<")).tobytes()
    with open(os.path.join(os.path.dirname(path), raw_name), "wb") as handle:
        handle.write(zlib.compress(data) if compressed else data)
    header = ["ObjectType = Image", "NDims = 3", f"DimSize = {array.shape[1]} {array.shape[0]} 1",
              f"ElementType = {element}", "ElementSpacing = 0.308 0.154 1",
              f"BinaryDataByteOrderMSB = {'True' if big_endian else 'False'}",
              f"CompressedData = {'True' if compressed else 'False'}", f"ElementDataFile = {raw_name}"]
    with open(path, "w") as handle:
        handle.write("\n".join(header) + "\n")


def write_patient_2019(root: str, patient: str, image: np.ndarray | None = None, labels: np.ndarray | None = None,
                       compressed: bool = False):
    folder = os.path.join(root, patient)
    os.makedirs(folder, exist_ok=True)
    for phase in ("ED", "ES"):
        write_mhd(os.path.join(folder, f"{patient}_4CH_{phase}.mhd"), _image() if image is None else image,
                  compressed=compressed)
        write_mhd(os.path.join(folder, f"{patient}_4CH_{phase}_gt.mhd"), _labels() if labels is None else labels,
                  compressed=compressed)
    return folder


def write_nifti(path: str, array: np.ndarray) -> None:
    nib.save(nib.Nifti1Image(np.ascontiguousarray(array.T), np.eye(4)), path)


def test_mhd_reader_orientation_types_and_compression(tmp_path):
    path = str(tmp_path / "a.mhd")
    write_mhd(path, _image())
    assert np.array_equal(read_mhd(path), _image())
    values = (np.arange(ROWS * COLS, dtype=np.uint16) * 37).reshape(ROWS, COLS)
    write_mhd(path, values, "MET_USHORT", compressed=True, big_endian=True)
    out = read_mhd(path)
    assert out.shape == (ROWS, COLS) and np.array_equal(out, values)


def test_mhd_reader_errors(tmp_path):
    path = str(tmp_path / "b.mhd")
    with open(path, "w") as handle:
        handle.write("NDims = 2\nDimSize = 4 3\nElementType = MET_UCHAR\n")
    with pytest.raises(CamusError, match="incomplete"):
        read_mhd(path)
    write_mhd(path, _image())
    with open(str(tmp_path / "b.raw"), "wb") as handle:
        handle.write(b"\x00" * 10)
    with pytest.raises(CamusError, match="bytes of data"):
        read_mhd(path)


def test_nifti_is_transposed_back_to_rows_and_columns(tmp_path):
    path = str(tmp_path / "a.nii.gz")
    write_nifti(path, _image())
    assert nib.load(path).shape == (COLS, ROWS)
    assert np.array_equal(read_nifti(path), _image())


def test_resize_recipe_area_for_the_image_nearest_for_label_one():
    image, mask = resize_pair(_image(), _labels())
    assert np.array_equal(image, cv2.resize(_image(), (112, 112), interpolation=cv2.INTER_AREA))
    assert np.array_equal(mask, cv2.resize((_labels() == 1).astype(np.uint8), (112, 112),
                                           interpolation=cv2.INTER_NEAREST))
    assert set(np.unique(mask)) == {0, 1}
    float_image, _ = resize_pair(_image().astype(np.float32) + 0.2, _labels())
    assert float_image.dtype == np.uint8


def test_reads_the_2019_layout_and_the_2023_layout_alike(tmp_path):
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    write_patient_2019(old, "patient0001")
    folder = os.path.join(new, "patient0001")
    os.makedirs(folder)
    for phase in ("ED", "ES"):
        write_nifti(os.path.join(folder, f"patient0001_4CH_{phase}.nii.gz"), _image())
        write_nifti(os.path.join(folder, f"patient0001_4CH_{phase}_gt.nii.gz"), _labels())
        write_nifti(os.path.join(folder, f"patient0001_2CH_{phase}.nii.gz"), np.zeros((5, 5), np.uint8))  # ignored
    a, b = list(iter_camus(old)), list(iter_camus(new))
    assert [(f.patient, f.phase) for f in a] == [("patient0001", "ED"), ("patient0001", "ES")]
    for x, y in zip(a, b):
        assert np.array_equal(x.image, y.image) and np.array_equal(x.mask, y.mask)
    expected = cv2.resize((_labels() == 1).astype(np.uint8), (112, 112), interpolation=cv2.INTER_NEAREST)
    assert np.array_equal(a[0].mask, expected)
    assert a[0].image[0, 0] < a[0].image[0, -1]  # the orientation marker row kept its direction


def test_bad_patients_are_skipped_with_a_reason(tmp_path):
    root = str(tmp_path)
    write_patient_2019(root, "patient0001")
    os.remove(write_patient_2019(root, "patient0002") + "/patient0002_4CH_ES_gt.mhd")
    write_patient_2019(root, "patient0003", labels=_labels()[:, :20])
    write_patient_2019(root, "patient0004", labels=np.where(_labels() == 1, 2, _labels()).astype(np.uint8))
    folder = os.path.join(root, "patient0005")
    os.makedirs(folder)
    for phase in ("ED", "ES"):
        for gt in ("", "_gt"):
            with open(os.path.join(folder, f"patient0005_4CH_{phase}{gt}.nii.gz"), "wb") as handle:
                handle.write(b"not a nifti file")
    os.makedirs(os.path.join(root, "notes"))  # not a patient folder: ignored
    skipped = []
    frames = list(iter_camus(root, skipped))
    assert {f.patient for f in frames} == {"patient0001"}
    reasons = {s.patient: s.reason for s in skipped}
    assert set(reasons) == {"patient0002", "patient0003", "patient0004", "patient0005"}
    assert "missing patient0002_4CH_ES_gt" in reasons["patient0002"]
    assert "differ" in reasons["patient0003"]
    assert "no LV" in reasons["patient0004"]
    assert "unreadable" in reasons["patient0005"]
    assert len(list(iter_camus(root))) == 2  # without a list the skips are silent


def test_wanted_files_are_every_4ch_ed_es_file_of_its_own_patient_folder():
    for name in ("ED.nii.gz", "ES_gt.nii.gz", "ED.nii", "ES.mhd", "ES.raw", "ED_gt.zraw"):
        assert wanted_file(f"patient0001/patient0001_4CH_{name}"), name
    for relative in ("patient0001/patient0002_4CH_ED.nii.gz", "patient0001/patient0001_2CH_ED.nii.gz",
                     "patient0001/patient0001_4CH_half_sequence.nii.gz", "patient0001/Info_4CH.cfg",
                     "patient0001_4CH_ED.nii.gz", "x/patient0001/patient0001_4CH_ED.mhd",
                     "patient0001/sub/patient0001_4CH_ED.mhd"):
        assert not wanted_file(relative), relative


def test_a_compressed_metaimage_patient_reads_like_a_raw_one(tmp_path):
    raw, packed = str(tmp_path / "raw"), str(tmp_path / "packed")
    write_patient_2019(raw, "patient0001")
    write_patient_2019(packed, "patient0001", compressed=True)
    assert any(name.endswith(".zraw") for name in os.listdir(os.path.join(packed, "patient0001")))
    a, b = list(iter_camus(raw)), list(iter_camus(packed))
    assert len(a) == len(b) == 2
    assert all(np.array_equal(x.image, y.image) and np.array_equal(x.mask, y.mask) for x, y in zip(a, b))


def test_a_root_without_patients_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(iter_camus(str(tmp_path / "absent")))
    with pytest.raises(FileNotFoundError, match="no patientXXXX"):
        list(iter_camus(str(tmp_path)))
