"""RPG tests run on one torch thread: the CPU is shared, and tiny models gain nothing from more."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
