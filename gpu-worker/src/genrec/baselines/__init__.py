"""Baselines behind the ``SeqRecModel`` contract (genrec.models): popularity, content kNN, SASRec,
eSASRec; ``config`` holds their presets, ``train`` runs one (``python -m genrec.baselines.train``)."""
