"""Content kNN scores items by embedding similarity to the (recency-weighted) history."""

import pytest
import torch

from genrec.models import ContentKNN, ContentKNNConfig


def unit(*rows: list[float]) -> torch.Tensor:
    x = torch.tensor(rows, dtype=torch.float32)
    return torch.cat([torch.zeros(1, x.shape[1]), x / x.norm(dim=1, keepdim=True)])  # [N+1, D]


VECTORS = unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.8, 0.2], [0, 0, 1])  # items 1..5


def test_last_item_neighbours_rank_first_and_history_is_excluded() -> None:
    model = ContentKNN(ContentKNNConfig(), VECTORS)
    scores = model.score_all(torch.tensor([[0, 3, 1]]))  # last item 1
    assert scores.shape == (1, 6)
    assert torch.isinf(scores[0, [0, 1, 3]]).all()  # padding and the history
    assert scores[0, 2] == scores[0, [2, 4, 5]].max()  # item 2 is item 1's neighbour


def test_decay_weights_older_items_in() -> None:
    histories = torch.tensor([[3, 1]])  # item 3 then item 1
    last = ContentKNN(ContentKNNConfig(exclude_history=False), VECTORS).score_all(histories)
    blend = ContentKNN(ContentKNNConfig(exclude_history=False, decay=0.9), VECTORS).score_all(histories)
    assert last[0, 4] < last[0, 2] and blend[0, 4] > last[0, 4]  # item 4 is near the older item 3
    assert last[0, 1] == pytest.approx(1.0)  # without exclusion the last item is its own best match


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match=r"model\.text"):
        ContentKNNConfig(text="description")
    with pytest.raises(ValueError, match=r"model\.decay"):
        ContentKNNConfig(decay=1.5)
