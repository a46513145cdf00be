"""Google Cloud launchers: Dataflow for the Beam jobs, Vertex AI for training and export (``lvseg cloud``).

cli (the command and its dispatch) -> commands (one per job) -> dataflow / vertex / flex (the exact launch
each builds) over common (target flags, job names, printing and running) and bucket (the bucket layout).
"""
