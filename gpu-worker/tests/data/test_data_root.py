"""Where the shared datasets are read from: beside the checkout, never an absolute machine path."""

from pathlib import Path

import pytest

from genrec.data.registry import REPO_ROOT, data_root, shared_dir


def test_the_default_root_is_shared_data_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GENREC_DATA_ROOT", raising=False)
    assert data_root() == REPO_ROOT.parent / "shared" / "data"
    assert (REPO_ROOT / "gpu-worker" / "pyproject.toml").is_file()


def test_genrec_data_root_overrides_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GENREC_DATA_ROOT", str(tmp_path))
    assert shared_dir("beauty") == tmp_path / "amazon2014" / "beauty"
