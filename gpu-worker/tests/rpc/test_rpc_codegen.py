"""models.py is generated from the contract's JSON Schema; these tests keep the two in step."""

import json
import shutil
from pathlib import Path

import pytest

from genrec.rpc.codegen import MODELS_PATH, SCHEMA_PATH, main, render_models

REGENERATE = "cd gpu-worker && uv run python -m genrec.rpc.codegen"


@pytest.fixture(scope="module")
def fresh() -> str:
    return render_models(SCHEMA_PATH)


def test_committed_models_match_the_committed_schema(fresh: str) -> None:
    assert MODELS_PATH.read_text(encoding="utf-8") == fresh, f"models.py is stale: run `{REGENERATE}`"


def test_render_is_deterministic(fresh: str) -> None:
    assert render_models(SCHEMA_PATH) == fresh
    assert "filename:" not in fresh and str(SCHEMA_PATH.parent) not in fresh  # no path, no date


def test_generated_file_says_how_to_regenerate(fresh: str) -> None:
    assert fresh.startswith("# GENERATED FILE, do not edit.")
    assert "uv run python -m genrec.rpc.codegen" in fresh.splitlines()[1]


def drift(schema: Path, tmp_path: Path) -> Path:
    """A copy of `schema` whose HealthResponse gained a required property."""
    doc = json.loads(schema.read_text(encoding="utf-8"))
    health = doc["$defs"]["HealthResponse"]
    health["properties"]["gpu_name"] = {"type": "string"}
    health["required"].append("gpu_name")
    changed = tmp_path / "genrec.schema.json"
    changed.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return changed


def test_a_schema_change_makes_the_committed_models_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = MODELS_PATH.read_text(encoding="utf-8")
    changed = drift(SCHEMA_PATH, tmp_path)

    rendered = render_models(changed)
    assert rendered != committed
    assert "    gpu_name: str\n" in rendered

    assert main(["--check", "--schema", str(changed)]) == 1
    assert f"stale: {MODELS_PATH}" in capsys.readouterr().err
    assert MODELS_PATH.read_text(encoding="utf-8") == committed, "--check must not write"


def test_write_then_check_round_trip(tmp_path: Path, fresh: str) -> None:
    out = tmp_path / "models.py"
    shutil.copyfile(MODELS_PATH, out)
    changed = drift(SCHEMA_PATH, tmp_path)

    assert main(["--schema", str(changed), "--output", str(out)]) == 0
    assert "gpu_name: str" in out.read_text(encoding="utf-8")
    assert main(["--check", "--schema", str(SCHEMA_PATH), "--output", str(out)]) == 1
