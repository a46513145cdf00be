"""Beam job: Dice of trained models on TEST records and an external set (``python -m beam_pipelines.evaluate``).

options (the job's flags) -> pipeline (launcher, builder) -> transforms (DoFns: score batches, pick examples, GIFs) over
frames (what is scored: EvalFrame) and scores (per-frame rows and their aggregation); after the job,
report (per_frame.csv, summary.json, images) and report_page (report.html). Only pipeline and
transforms import Beam.
"""
