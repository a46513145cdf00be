"""Evaluation's numbers against hand-computed cases: per-frame rows, aggregation, CSV, picks, model metadata."""


import numpy as np
import pytest

from beam_pipelines.evaluate import report_page, scores
from beam_pipelines.evaluate.frames import EvalFrame, load_frames, save_frames
from lvseg.inference.decode import Segmentation
from lvseg.inference.models import ModelInfo


def row(inter, pred, true, phase="ED", ok=True, video="v", model="m", dataset="d", ceiling=None, leak=None):
    """A per-frame row with the given counts (dice from lvseg.metrics.dice' convention)."""
    dice = 1.0 if pred + true == 0 else 2 * inter / (pred + true)
    r = {"model": model, "kind": "landmarks", "dataset": dataset, "video_id": video, "phase": phase,
         "frame_index": 0, "ok": ok, "dice": dice, "intersection": inter, "pred_area": pred, "true_area": true,
         "area_ratio": pred / true if true else None, "base_leak": leak,
         "ceiling_dice": None, "ceiling_intersection": None, "ceiling_pred_area": None}
    if ceiling is not None:
        r.update(ceiling_intersection=ceiling[0], ceiling_pred_area=ceiling[1],
                 ceiling_dice=2 * ceiling[0] / (ceiling[1] + true))
    return r


HAND = [row(3, 4, 5, "ED", video="a", ceiling=(4, 4), leak=0.2),     # Dice 6/9, area x0.8
        row(0, 0, 2, "ES", ok=False, video="b", leak=0.0),           # failed: empty prediction, Dice 0
        row(10, 10, 10, "ED", video="c", ceiling=(9, 10), leak=0.0)]  # Dice 1


def test_summary_matches_hand_computed_dice():
    s = scores.summarize_group(HAND, bootstrap_samples=200, seed=1)
    assert s["frames"] == 3 and s["failed"] == 1
    assert s["pooled_dice"] == pytest.approx(26 / 31)          # 2*13 / (14 + 17)
    assert s["mean_dice"] == pytest.approx((6 / 9 + 0 + 1) / 3)
    assert s["median_dice"] == pytest.approx(6 / 9)
    assert s["pooled_dice_ok"] == pytest.approx(26 / 29)       # without the failed frame
    assert s["phases"]["ED"]["pooled_dice"] == pytest.approx(26 / 29) and s["phases"]["ED"]["frames"] == 2
    assert s["phases"]["ES"]["pooled_dice"] == 0.0 and s["phases"]["ES"]["frames"] == 1
    assert s["ceiling"]["frames"] == 2
    assert s["ceiling"]["pooled_dice"] == pytest.approx(2 * 13 / (14 + 15))
    low, high = s["ci95"]
    assert 0.0 <= low <= s["pooled_dice"] <= high <= 1.0


def test_summary_carries_area_ratio_and_base_leak_per_phase():
    rows = HAND + [row(8, 12, 8, "ES", video="d", leak=0.5), row(6, 9, 6, "ES", video="e", leak=0.25),
                   row(2, 2, 3, "ED", video="f")]                   # no base: no leak, still a ratio
    s = scores.summarize_group(rows, bootstrap_samples=20)
    ed, es = s["phases"]["ED"], s["phases"]["ES"]
    assert ed["median_area_ratio"] == pytest.approx(0.8)            # median of 0.8, 1.0, 2/3
    assert es["median_area_ratio"] == pytest.approx(1.5)            # median of 0 (failed), 1.5, 1.5
    assert ed["median_base_leak"] == pytest.approx(0.1) and ed["mean_base_leak"] == pytest.approx(0.1)
    assert ed["base_frames"] == 2 and es["base_frames"] == 3
    assert es["median_base_leak"] == pytest.approx(0.25) and es["mean_base_leak"] == pytest.approx(0.25)
    assert s["median_area_ratio"] == pytest.approx(0.9)             # all six frames: 0, 2/3, 0.8, 1, 1.5, 1.5
    assert ed["area_ratio_counts"] == [0, 1, 0, 1, 0, 1] + [0] * 9  # 2/3, 0.8, 1.0 in bins of 0.1 from 0.5
    assert es["area_ratio_counts"] == [1] + [0] * 9 + [2, 0, 0, 0, 0]  # 0 counts in the first bin, 1.5 twice
    empty = scores.summarize_group([row(2, 2, 3, "ED", dataset="camus")], 10)
    assert empty["phases"]["ED"]["median_base_leak"] is None and empty["phases"]["ES"]["median_area_ratio"] is None


def test_bootstrap_ci_is_seeded():
    a = scores.summarize_group(HAND, 300, seed=5)["ci95"]
    assert a == scores.summarize_group(HAND, 300, seed=5)["ci95"]


def test_both_empty_frame_scores_one_and_no_ceiling_without_landmarks():
    s = scores.summarize_group([row(0, 0, 0)], 10)
    assert s["pooled_dice"] == 1.0 and s["ceiling"] is None


def test_score_row_from_masks_and_landmark_ceiling():
    true = np.zeros((12, 12), np.uint8)
    true[2:10, 3:9] = 1                      # 48 pixels
    pred = np.zeros_like(true)
    pred[2:10, 3:6] = 1                      # 24 pixels, all inside
    pts = np.array([[3, 2], [8.9, 2], [8.9, 9.9], [3, 9.9]], float)
    frame = EvalFrame("echonet-test", "v", "ES", 7, np.zeros_like(true), true, pts, "contour4")
    info = ModelInfo("lm.tflite", "lm", "landmarks", "contour4", "tflite", "int8")
    r = scores.score(info, frame, Segmentation(pred, ok=True))
    assert (r["intersection"], r["pred_area"], r["true_area"]) == (24, 24, 48)
    assert r["dice"] == pytest.approx(48 / 72) and r["phase"] == "ES" and r["frame_index"] == 7
    assert r["ceiling_dice"] is not None and 0.5 < r["ceiling_dice"] <= 1.0
    mask_info = ModelInfo("mask.tflite", "mask", "mask", "", "tflite", "int8")
    assert scores.score(mask_info, frame, Segmentation(pred))["ceiling_dice"] is None
    assert r["area_ratio"] == 0.5 and r["base_leak"] is None  # a frame without a base line has no leak


def test_score_row_measures_the_leak_beyond_the_true_base():
    true = np.zeros((12, 12), np.uint8)
    true[2:10, 3:9] = 1                      # 48 pixels, base along row 9
    pred = true.copy()
    pred[10:12, 4:8] = 1                     # 8 pixels through the base
    frame = EvalFrame("echonet-val", "v", "ES", 3, np.zeros_like(true), true, base=np.array([3.0, 9.0, 8.0, 9.0]))
    info = ModelInfo("mask.tflite", "mask", "mask", "", "tflite", "int8")
    r = scores.score(info, frame, Segmentation(pred))
    assert r["area_ratio"] == pytest.approx(56 / 48) and r["base_leak"] == pytest.approx(8 / 48)


def test_csv_round_trip_keeps_exact_values():
    rows = scores.sort_rows(HAND)
    back = scores.from_csv(scores.to_csv(rows))
    assert back == rows


def test_summaries_follow_model_and_dataset_order():
    rows = [row(1, 1, 1, model=m, dataset=d) for m in ("b", "a") for d in ("y", "x")]
    order = [(s["model"], s["dataset"]) for s in scores.summarize(rows, 10, 0, ["b", "a"], ["x", "y"])]
    assert order == [("b", "x"), ("b", "y"), ("a", "x"), ("a", "y")]


def test_pick_examples_worst_median_best():
    picks = scores.pick_examples([(0.9, "b"), (0.1, "a"), (0.5, "c"), (0.7, "d")])
    assert picks == {"a": ["worst"], "c": ["median"], "b": ["best"]}
    assert scores.pick_examples([(0.3, "x")]) == {"x": ["worst", "median", "best"]}
    assert scores.pick_examples([]) == {}


def test_headline_text_lists_every_group():
    summary = scores.summarize(HAND, 50)
    text = report_page.headline_text(summary)
    assert "0.8387" in text and "[" in text  # 26/31
    assert text.splitlines()[0].split()[:2] == ["model", "dataset"]
    assert "area ED" in text.splitlines()[0] and "leak ES" in text.splitlines()[0]
    cells = report_page.headline_cells(summary[0])
    assert cells[5:8] == ["x0.90", "x0.00", "0.0%"]  # ED ratios 0.8 and 1.0; the ES frame failed (empty)


def test_staged_external_frames_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    frames = [EvalFrame("camus", f"patient{i:04d}", p, 0, rng.integers(0, 255, (112, 112), dtype=np.uint8),
                        (rng.random((112, 112)) > 0.5).astype(np.uint8)) for i in range(2) for p in ("ED", "ES")]
    save_frames(frames, str(tmp_path / "x.npz"))
    back = load_frames(str(tmp_path / "x.npz"))
    assert [f.frame_id for f in back] == [f.frame_id for f in frames]
    assert all(np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask) for a, b in zip(frames, back))
    assert len(back) == 4


def test_gcs_inputs_read_like_local_ones(gcs_bucket, records_root, tmp_path):
    """A gs:// CAMUS root is copied (4CH ED/ES files only) and read like the local one; videos stream from gs://."""
    from beam_pipelines.evaluate.frames import external_frames, first_video_records
    from beam_pipelines.launch_options import fast_emulator_auth
    from lvseg import storage
    from lvseg.synth import generate_camus

    fast_emulator_auth()
    local = str(tmp_path / "camus")
    generate_camus(local, patients=2, seed=4)
    for path in storage.list_files(local):
        storage.write_bytes(f"{gcs_bucket}/camus/{path[len(local) + 1:]}", storage.read_bytes(path))
    for path in storage.list_files(records_root + "/videos"):
        storage.write_bytes(f"{gcs_bucket}/records/videos/{path.rsplit('/', 1)[-1]}", storage.read_bytes(path))
    remote = external_frames(f"{gcs_bucket}/camus")
    expected = external_frames(local)
    assert len(remote) == len(expected) > 0
    assert all(a.frame_id == b.frame_id and np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
               for a, b in zip(remote, expected))
    assert first_video_records(f"{gcs_bucket}/records", "TEST", 1) == first_video_records(records_root, "TEST", 1)
    import tensorflow as tf

    from lvseg.records import shards

    files = shards.shard_files(records_root, "videos", "TEST")
    all_test = list(tf.data.TFRecordDataset(files, compression_type="GZIP").as_numpy_iterator())  # independent reader
    assert first_video_records(records_root, "TEST", 5) == all_test and len(all_test) == 2


def test_gcs_camus_copy_keeps_compressed_metaimage_patients(gcs_bucket, tmp_path):
    """A gs:// CAMUS root is copied with every file the reader may open, .zraw data included."""
    import shutil
    from pathlib import Path

    from beam_pipelines.evaluate.frames import external_frames, local_camus
    from beam_pipelines.launch_options import fast_emulator_auth
    from tests.conftest import upload_tree
    from tests.datasets.test_camus import write_patient_2019

    fast_emulator_auth()
    local = str(tmp_path / "camus")
    write_patient_2019(local, "patient0001", compressed=True)
    write_patient_2019(local, "patient0002")
    with open(f"{local}/patient0002/Info_4CH.cfg", "w") as handle:
        handle.write("ED: 1\n")
    upload_tree(local, f"{gcs_bucket}/camus")
    staged = local_camus(f"{gcs_bucket}/camus")
    try:
        copied = sorted(str(p.relative_to(staged)) for p in Path(staged).rglob("*") if p.is_file())
    finally:
        shutil.rmtree(staged)
    assert "patient0001/patient0001_4CH_ED_gt.zraw" in copied and "patient0002/Info_4CH.cfg" not in copied
    assert len(copied) == 16  # 2 patients x ED, ES x image, labels x .mhd, data file
    skipped: list = []
    remote = external_frames(f"{gcs_bucket}/camus", skipped)
    expected = external_frames(local)
    assert not skipped
    assert [f.frame_id for f in remote] == [f.frame_id for f in expected] == [
        f"camus/patient000{n}/{p}/0" for n in (1, 2) for p in ("ED", "ES")]
    assert all(np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask) for a, b in zip(remote, expected))
