"""Training jobs: a store on disk (``store``), the job process and its pipeline (``run``,
``pipeline``: data -> SIDs -> RPG -> artifact set -> publish to the edge), runners (``local``; Modal's
lives in modal_app.py) and the RPC handlers train / job_status / cancel_job (``service``).

Importing this package is light (no torch): the pipeline imports the heavy modules when it runs.
"""
