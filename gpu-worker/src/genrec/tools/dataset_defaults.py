"""Each model's dataset layer for one dataset: ``python -m genrec.tools.dataset_defaults DATASET
[--preset quick] [--json]`` (any name or path ``genrec data`` reads, in any supported format).

It lives with the tools because it asks every model package (rpg, diffgrm, baselines) for its
defaults, and ``genrec.data`` / ``genrec.train`` sit below those packages. ``genrec data stats``
prints the SID length and points here.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from genrec.baselines.config import dataset_defaults as baseline_defaults
from genrec.data.cli import DataError, add_source_args, load
from genrec.diffgrm.config import dataset_defaults as diffgrm_defaults
from genrec.rpg.config import dataset_defaults as rpg_defaults
from genrec.train.defaults import DataShape, data_shape, is_tuned, sid_digits


def describe_defaults(dataset: str, shape: DataShape, preset: str = "quick") -> dict[str, Any]:
    """m, and each model's dataset layer at ``preset`` (the tuned tables for beauty/sports/toys)."""
    m, why = sid_digits(dataset, shape.items)
    layers = {
        "rpg": rpg_defaults(dataset, preset, shape),
        "diffgrm": diffgrm_defaults(dataset, preset, shape),
        "sasrec": baseline_defaults("sasrec", dataset, preset, shape),
        "esasrec": baseline_defaults("esasrec", dataset, preset, shape),
    }
    lines = [f"RPG SID length m = {m} ({why})"]
    if is_tuned(dataset):
        lines.append(
            "lr, decoding, epochs: the tuned per-dataset tables (genrec.rpg/diffgrm/baselines.config)"
        )
    else:
        for model, layer in layers.items():
            lines.extend(
                f"{model} {preset}: {k} = {v}  ({layer.reasons[k]})" for k, v in layer.overrides.items()
            )
    return {
        "sid_m": m,
        "preset": preset,
        "tuned": is_tuned(dataset),
        "layers": {model: dict(layer.overrides) for model, layer in layers.items()},
        "lines": lines,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.dataset_defaults", description=__doc__.splitlines()[0]
    )
    add_source_args(p)
    p.add_argument("--preset", default="quick", help="the preset whose dataset layer to show (default quick)")
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args(argv)
    try:
        ds, _ = load(args, skip_bad=False)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    described = describe_defaults(ds.name, data_shape(ds), args.preset)
    print(json.dumps(described, indent=2) if args.json else "\n".join(described["lines"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
