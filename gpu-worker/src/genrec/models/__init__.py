"""Recommender models behind one contract (``SeqRecModel``): Popularity, content kNN, SASRec, eSASRec."""

from genrec.models.base import Batch, SeqRecModel
from genrec.models.content_knn import ContentKNN, ContentKNNConfig
from genrec.models.esasrec import ESASRec, ESASRecConfig
from genrec.models.popularity import Popularity
from genrec.models.sasrec import SASRec, SASRecConfig

__all__ = [
    "Batch",
    "ContentKNN",
    "ContentKNNConfig",
    "ESASRec",
    "ESASRecConfig",
    "Popularity",
    "SASRec",
    "SASRecConfig",
    "SeqRecModel",
]
