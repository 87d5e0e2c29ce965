"""Datasets: loaders for every source into one in-memory ``Dataset``, the canonical on-disk format
(see genrec.data.canonical), the leave-one-out split and dataset statistics."""

from genrec.data.amazon_raw import load_amazon_raw
from genrec.data.amazon_shared import load_shared_amazon
from genrec.data.canonical import read_canonical, write_canonical
from genrec.data.dataset import Dataset, build_dataset
from genrec.data.events import load_events
from genrec.data.io import DataFormatError, LoadReport
from genrec.data.records import PAD_ID, ItemRecord
from genrec.data.registry import load_dataset
from genrec.data.split import (
    MAX_LEN,
    EvalSplit,
    LeaveOneOut,
    item_counts,
    leave_one_out,
    next_item_arrays,
    pad_left,
    subsample,
)

__all__ = [
    "MAX_LEN",
    "PAD_ID",
    "DataFormatError",
    "Dataset",
    "EvalSplit",
    "ItemRecord",
    "LeaveOneOut",
    "LoadReport",
    "build_dataset",
    "item_counts",
    "leave_one_out",
    "load_amazon_raw",
    "load_dataset",
    "load_events",
    "load_shared_amazon",
    "next_item_arrays",
    "pad_left",
    "read_canonical",
    "subsample",
    "write_canonical",
]
