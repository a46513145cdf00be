"""benchmarks.size_bias: median area ratio per true-area band, per model, from evaluate's per_frame.csv."""

from __future__ import annotations

import math

from benchmarks.size_bias import band_ratios, main


def _row(model: str, true_area: float, ratio: float, dataset: str = "echonet-test", ok: str = "True") -> dict:
    return {"model": model, "dataset": dataset, "ok": ok, "true_area": str(true_area), "area_ratio": str(ratio)}


def test_frames_fall_in_their_band_and_only_the_chosen_dataset_counts():
    rows = [_row("mask", 800, 1.10), _row("mask", 900, 1.20), _row("mask", 950, 1.00),
            _row("mask", 1000, 0.99), _row("mask", 2500, 0.95),
            _row("mask", 700, 3.0, dataset="camus"), _row("mask", 700, 3.0, ok="False"),
            _row("landmarks", 1500, 1.01)]
    out = band_ratios(rows, "echonet-test", [1000.0, 2000.0])
    assert out["mask"] == [(3, 1.10), (1, 0.99), (1, 0.95)]  # 1,000 px itself is in the middle band
    assert out["landmarks"][1] == (1, 1.01)
    assert out["landmarks"][0][0] == 0 and math.isnan(out["landmarks"][0][1])


def test_the_command_prints_one_line_per_model(tmp_path, capsys):
    path = tmp_path / "per_frame.csv"
    path.write_text("model,dataset,ok,true_area,area_ratio\nmask,echonet-test,True,800,1.25\n"
                    "mask,echonet-test,True,2400,0.9\n")
    assert main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "x1.250 (1)" in lines[1] and "x0.900 (1)" in lines[1]
