"""Generate `genrec.rpc.models` from the contract's JSON Schema (shared/schema/genrec.schema.json).

    uv run python -m genrec.rpc.codegen           # rewrite src/genrec/rpc/models.py
    uv run python -m genrec.rpc.codegen --check   # exit 1 and name the stale file, write nothing

The schema is emitted from the zod sources in shared/ (`npm run gen -w shared`); this is the one way
a wire shape reaches Python, so the generated file is committed and a test fails when it drifts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]  # gpu-worker/
SCHEMA_PATH = PROJECT_DIR.parent / "shared" / "schema" / "genrec.schema.json"
MODELS_PATH = Path(__file__).resolve().with_name("models.py")

HEADER = """\
# GENERATED FILE, do not edit. Source: shared/schema/genrec.schema.json (emitted from shared/src).
# Regenerate: cd gpu-worker && uv run python -m genrec.rpc.codegen  (check only: --check)"""

FLAGS = (
    "--input-file-type=jsonschema",
    "--output-model-type=pydantic_v2.BaseModel",
    "--target-python-version=3.11",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    "--enum-field-as-literal=all",
    "--use-double-quotes",
    "--collapse-root-models",
    # The document root only groups `$defs`; a RootModel[Any] for it would be noise.
    "--skip-root-model",
    # zod `.default(x)` fields are optional but never null; without this they would accept None.
    "--strict-nullable",
    f"--custom-file-header={HEADER}",
    "--formatters",
    "ruff-format",
    "ruff-check",
)


def render_models(schema_path: Path = SCHEMA_PATH) -> str:
    """The exact text of models.py for `schema_path`, a pure function of the schema's content.

    Runs in PROJECT_DIR and writes to stdout so that the ruff formatters read this project's
    pyproject.toml wherever the caller stands, and no path or timestamp reaches the text.
    """
    done = subprocess.run(
        [sys.executable, "-m", "datamodel_code_generator", f"--input={schema_path}", *FLAGS],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"datamodel-codegen failed on {schema_path}:\n{done.stderr}")
    return done.stdout


def is_stale(models_path: Path, rendered: str) -> bool:
    return not models_path.exists() or models_path.read_text(encoding="utf-8") != rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genrec.rpc.codegen", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--schema", type=Path, default=SCHEMA_PATH, help="JSON Schema to read (default: %(default)s)"
    )
    parser.add_argument(
        "--output", type=Path, default=MODELS_PATH, help="models file to write (default: %(default)s)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the models file is stale"
    )
    args = parser.parse_args(argv)

    rendered = render_models(args.schema)
    if not is_stale(args.output, rendered):
        print(f"up to date: {args.output}")
        return 0
    if args.check:
        print(
            f"stale: {args.output} does not match {args.schema}; run `uv run python -m genrec.rpc.codegen`",
            file=sys.stderr,
        )
        return 1
    args.output.write_text(rendered, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
