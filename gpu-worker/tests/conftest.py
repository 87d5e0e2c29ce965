"""Every test runs on one torch thread: the CPU is shared, and the tiny models under test only lose
to thread synchronisation. The previous setting is restored afterwards."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
