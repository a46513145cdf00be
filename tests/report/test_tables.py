"""The report launchers' shared readers and the console headline table."""

from __future__ import annotations

from lvseg.report.tables import read_jsonl, text_table


def test_read_jsonl_skips_blank_lines_and_a_missing_file_is_no_rows(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2, "b": null}\n')
    assert read_jsonl(str(path)) == [{"a": 1}, {"a": 2, "b": None}]
    assert read_jsonl(str(tmp_path / "absent.jsonl")) == []


def test_text_table_aligns_names_left_and_numbers_right():
    text = text_table(["model", "set", "dice"], [["mask", "test", "0.9"], ["landmarks", "camus", "0.85"]],
                      left_columns=2)
    assert text.splitlines() == ["model      set    dice",
                                 "mask       test    0.9",
                                 "landmarks  camus  0.85"]
    assert text_table(["m", "n"], [["ab", "1"]]).splitlines() == ["m   n", "ab  1"]
