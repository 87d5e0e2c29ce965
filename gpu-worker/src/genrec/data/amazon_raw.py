"""Loader for the public raw Amazon 2014 files: ``reviews_<Cat>_5.json.gz`` + ``meta_<Cat>.json.gz``.

Reviews are strict JSON, one object per line (``reviewerID``, ``asin``, ``unixReviewTime``...).
Metadata lines are usually Python dict literals (single quotes), so each line is tried as JSON and
then with ``ast.literal_eval`` (never ``eval``). Metadata maps to the wire ``Item``: ``title``,
``brand``, ``description``, ``price``; ``categories`` (a list of category paths) is flattened to
unique names in order; scalar extra fields (``imUrl``) and ``salesRank`` ("salesRank.<cat>") go to
``attributes``; ``related`` (links to other items) is not text and is left out.

To keep a 250k-line metadata file fast, a line whose ``asin`` (found by a regex) is not among the
reviewed items is counted as unused without being parsed or validated.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from genrec.data.dataset import Dataset
from genrec.data.interactions import Interaction, dedup_pairs, group_sorted, groups_to_dataset, k_core
from genrec.data.io import LoadReport, iter_records
from genrec.data.records import ItemRecord, check_id, parse_price

_ASIN = re.compile(r"""['"]asin['"]\s*:\s*['"]([^'"]+)['"]""")
_SCALARS = (str, int, float, bool)
_UNUSED: dict[str, Any] = {}  # identity sentinel for metadata lines skipped unparsed


def parse_meta_line(line: str) -> Any:
    """JSON first, then a Python literal; both raise ValueError/SyntaxError on garbage."""
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return ast.literal_eval(line.strip())


def flatten_categories(value: Any) -> tuple[str, ...] | None:
    """Amazon's category paths (a list of lists) as one tuple of names, first occurrence kept."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(path, list) for path in value):
        raise ValueError("bad categories: expected a list of lists of strings")
    names: dict[str, None] = {}
    for path in value:
        for name in path:
            if not isinstance(name, str):
                raise ValueError("bad categories: expected a list of lists of strings")
            if name.strip():
                names.setdefault(name.strip(), None)
    return tuple(names) or None


def meta_to_item(obj: dict[str, Any]) -> ItemRecord:
    """Map one metadata object to an ItemRecord; raises ValueError with a ``category: detail``."""
    attributes: dict[str, str | float | int | bool] = {}
    for key, value in obj.items():
        if key in {"asin", "title", "brand", "categories", "description", "price", "related"}:
            continue
        if key == "salesRank" and isinstance(value, dict):
            attributes.update({f"salesRank.{k}": v for k, v in value.items() if isinstance(v, int | float)})
        elif isinstance(value, _SCALARS):
            attributes[key] = value
    text = {}
    for key in ("title", "brand", "description"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"bad {key}: expected a string, got {type(value).__name__}")
        text[key] = value or None
    try:
        price = parse_price(obj.get("price"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad price: {obj.get('price')!r}") from e
    return ItemRecord(
        id=check_id(obj.get("asin"), "asin"),
        categories=flatten_categories(obj.get("categories")),
        price=price,
        attributes=attributes,
        **text,
    )


def read_reviews(path: Path, report: LoadReport) -> list[Interaction]:
    rows = []
    for lineno, obj in iter_records(path, report, kind="reviews"):
        try:
            user = check_id(obj.get("reviewerID"), "reviewerID")
            item = check_id(obj.get("asin"), "asin")
            ts = obj.get("unixReviewTime")
            if isinstance(ts, bool) or not isinstance(ts, int | float):
                raise ValueError(f"bad unixReviewTime: {ts!r}")
        except ValueError as e:
            report.bad(path, lineno, str(e))
            continue
        rows.append(Interaction(user, item, float(ts), lineno))
    return rows


def read_meta(path: Path, wanted: set[str], report: LoadReport) -> dict[str, ItemRecord]:
    """Records for ``wanted`` asins only; other lines are counted, and duplicates keep the first."""

    def parse(line: str) -> Any:
        match = _ASIN.search(line)
        if match and match.group(1) not in wanted:
            return _UNUSED
        return parse_meta_line(line)

    records: dict[str, ItemRecord] = {}
    for lineno, obj in iter_records(path, report, parse=parse, kind="meta"):
        if obj is _UNUSED:
            report.removed["meta_for_unreviewed_items"] += 1
            continue
        try:
            rec = meta_to_item(obj)
        except ValueError as e:
            report.bad(path, lineno, str(e))
            continue
        if rec.id not in wanted:
            report.removed["meta_for_unreviewed_items"] += 1
        elif rec.id in records:
            report.removed["duplicate_meta_lines"] += 1
        else:
            records[rec.id] = rec
    return records


def load_amazon_raw(
    reviews: Path | str,
    meta: Path | str | None = None,
    name: str | None = None,
    core: int | None = None,
    dedup: bool = False,
    skip_bad: bool = False,
) -> tuple[Dataset, LoadReport]:
    """Raw Amazon 2014 -> Dataset. The papers' protocol: ``core=None, dedup=False`` on the 5-core file.

    ``core=k`` re-applies iterative k-core filtering (a no-op on the ``_5`` files, needed for the
    full review dumps); ``dedup`` keeps only a user's earliest review of an item.
    """
    reviews = Path(reviews)
    report = LoadReport(source=str(reviews), skip_bad=skip_bad)
    groups = group_sorted(read_reviews(reviews, report))
    if dedup:
        groups = dedup_pairs(groups, report)
    if core is not None and core > 1:
        groups = k_core(groups, core, report)
    wanted = {r.item for seq in groups.values() for r in seq}
    records = read_meta(Path(meta), wanted, report) if meta is not None else {}
    default_name = reviews.name.removeprefix("reviews_").split(".")[0].removesuffix("_5").lower()
    return groups_to_dataset(name or default_name, groups, records, report), report
