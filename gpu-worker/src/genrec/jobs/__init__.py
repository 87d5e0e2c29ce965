"""Training jobs: validate a TrainRequest, keep the job on disk, launch its process, run the pipeline
(data -> SIDs -> RPG -> artifact set -> publish to the edge) and report progress. See README.md.

Importing this package is light (no torch): the pipeline imports the heavy modules when it runs. It
never imports the RPC layer (genrec.rpc maps its errors), only the generated wire models.
"""
