"""Beam job: LV area, volume and EF from every frame of every video (``python -m beam_pipelines.analyze``).

pipeline (options, launcher, builder) -> transforms (AnalyzeVideoFn: decode once, every model, analyse)
over rows (per-video, per-beat and per-frame rows); after the job, report (CSVs, summary.json, pictures)
and report_page (report.html). Only pipeline and transforms import Beam.
"""
