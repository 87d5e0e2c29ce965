"""``tiny_config`` builds small DiffGRM models; ``artifacts`` is a serving artifact root holding
``VERSION``, an untrained tiny model on the sample data."""

from pathlib import Path

import numpy as np
import pytest
import torch

from genrec.data import load_dataset
from genrec.diffgrm.config import resolve_config
from genrec.diffgrm.model import DiffGRM, DiffGRMConfig
from genrec.diffgrm.serve import export_artifact
from genrec.sid.table import random_sids

VERSION = "diffgrm-sample-tiny"


@pytest.fixture
def tiny_config() -> DiffGRMConfig:
    return DiffGRMConfig(d=16, n_heads=2, d_ffn=32, n_enc_layers=1, n_dec_layers=2, dropout=0.0, max_len=8)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """<root>/diffgrm-sample-tiny/: the sample catalogue with 8 codes per digit (collisions and SIDs of
    no item both occur) and an untrained tiny model nudged towards those 8 codes, so it finds items."""
    root = tmp_path_factory.mktemp("artifacts")
    ds, _ = load_dataset("sample")
    config = resolve_config("sample", "tiny", "random:4", 4)
    torch.manual_seed(0)
    model = DiffGRM(config.model, random_sids(ds.n_items, 4, seed=0, codes=8))
    with torch.no_grad():  # hidden states lean on one direction v; codes 0..7 align with it
        v = torch.randn(config.model.d)
        model.dec_ln.bias.copy_(v)
        model.dec_ln.weight.mul_(0.1)
        codes = model.tokens.weight[: 4 * 256].view(4, 256, -1)  # [m, 256, d]
        codes[:, :8] += 4 * v / v.dot(v)
        codes[:, 8:] -= 4 * v / v.dot(v)
    counts = np.random.default_rng(0).integers(0, 5, size=ds.n_items + 1)
    export_artifact(root / VERSION, model, config, ds.item_ids, counts)
    return root
