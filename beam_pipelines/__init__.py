"""The Beam jobs, one subpackage each: preprocess (dataset -> TFRecords) and evaluate (Dice and a report).

Each job package holds its launcher and pipeline builder (``pipeline``), its DoFns and PTransforms
(``transforms``) and its Beam-free helpers; ``launch_options`` is the option handling they share.
Nothing here imports Beam at package import time, so a job's Beam-free parts load without it.
"""
