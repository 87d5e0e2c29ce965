"""Recommender models behind one contract (``SeqRecModel``): Popularity, SASRec, eSASRec."""

from genrec.models.base import Batch, SeqRecModel
from genrec.models.esasrec import ESASRec, ESASRecConfig
from genrec.models.popularity import Popularity
from genrec.models.sasrec import SASRec, SASRecConfig

__all__ = ["Batch", "ESASRec", "ESASRecConfig", "Popularity", "SASRec", "SASRecConfig", "SeqRecModel"]
