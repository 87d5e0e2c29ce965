"""``python -m genrec.data``: format detection, every bad row named, nothing written on failure,
imported datasets addressable by name, stats and split summaries."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genrec.data import load_dataset
from genrec.data.cli import main
from genrec.data.formats import detect


@pytest.fixture(autouse=True)
def imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "imports"
    monkeypatch.setenv("GENREC_IMPORTS", str(root))
    return root


def write_events(directory: Path, events: list[str], items: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "events.csv").write_text("user_id,item_id,timestamp\n" + "".join(f"{e}\n" for e in events))
    (directory / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    return directory


GOOD = ["u1,i1,1", "u1,i2,2", "u1,i3,3", "u2,i2,1", "u2,i3,2", "u2,i1,3"]
ITEMS = [{"id": "i1", "title": "One"}, {"id": "i2", "title": "Two"}, {"id": "i3", "title": "Three"}]


def test_a_shared_format_folder_is_detected_as_such_not_as_canonical(tmp_path: Path) -> None:
    d = tmp_path / "toys-like"
    d.mkdir()
    (d / "sequences.jsonl").write_text(json.dumps({"user": "u1", "items": ["a", "b", "c"]}) + "\n")
    (d / "items.jsonl").write_text(json.dumps({"item": "a", "text": "x", "attribute_ids": [1]}) + "\n")
    assert detect(d).format == "amazon-shared"
    assert main(["import", str(d)]) == 0
    ds, _ = load_dataset("toys-like")  # by name, from the imports folder
    assert ds.n_users == 1 and ds.items[1].title == "x"


def test_validate_names_every_bad_row_and_import_writes_nothing(
    tmp_path: Path, imports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_events(
        tmp_path / "shop",
        [*GOOD, "u3,i1,yesterday", "u3,i2", "u4,,5"],
        [*ITEMS, {"id": "i4", "colour": "red"}, {"id": "i1"}],
    )
    assert main(["validate", str(src)]) == 1
    err = capsys.readouterr().err
    for where in (
        "events.csv:8: bad timestamp",
        "events.csv:9: wrong column count",
        "events.csv:10: bad item_id",
    ):
        assert where in err
    assert "items.jsonl:4: unknown keys" in err and "items.jsonl:5: duplicate item id" in err
    assert "5 bad rows" in err

    assert main(["import", str(src)]) == 1
    assert "nothing written" in capsys.readouterr().err
    assert not imports.exists()

    assert main(["import", str(src), "--skip-bad", "--name", "shop"]) == 0
    assert "skipped 5 bad rows" in capsys.readouterr().out
    ds, _ = load_dataset("shop")
    assert [[ds.item_ids[i] for i in s] for s in ds.sequences] == [["i1", "i2", "i3"], ["i2", "i3", "i1"]]
    assert main(["import", str(src), "--skip-bad", "--name", "shop"]) == 1  # exists: --force replaces
    assert "--force" in capsys.readouterr().err


def test_raw_amazon_and_named_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    reviews = [
        {"reviewerID": u, "asin": i, "unixReviewTime": t} for u, i, t in (("A", "x", 2), ("A", "y", 1))
    ]
    (raw / "reviews_Pets_5.json").write_text("".join(json.dumps(r) + "\n" for r in reviews))
    (raw / "meta_Pets.json").write_text(repr({"asin": "x", "title": "Bowl", "categories": [["Pets"]]}) + "\n")
    source = detect(raw)
    assert source.format == "amazon-raw" and source.side == raw / "meta_Pets.json"
    assert main(["import", str(raw / "reviews_Pets_5.json")]) == 0
    ds, _ = load_dataset("pets")
    assert ds.item_ids[1:] == ("y", "x") and ds.items[2].title == "Bowl"
    # a format named against the data fails with a line, not a traceback
    assert main(["validate", str(raw), "--format", "events"]) == 1
    assert "holds no events dataset" in capsys.readouterr().err
    assert main(["validate", "no-such-dataset"]) == 1
    assert "unknown dataset 'no-such-dataset'" in capsys.readouterr().err


def test_stats_and_split_of_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(tmp_path / "shop", GOOD, ITEMS)
    assert main(["split", str(tmp_path / "shop"), "--json"]) == 0
    split = json.loads(capsys.readouterr().out)
    assert split["users"] == split["test_rows"] == split["valid_rows"] == 2
    assert split["train_interactions"] == 2 and split["train_targets"] == 0
    assert main(["stats", str(tmp_path / "shop"), "--json", "--out", str(tmp_path / "s.json")]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["users"] == 2 and stats["interactions"] == 6 and stats["defaults"]["sid_m"] == 16
    assert json.loads((tmp_path / "s.json").read_text()) == stats


def test_the_module_runs_as_a_command(tmp_path: Path) -> None:
    src = write_events(tmp_path / "shop", [*GOOD, "u9,i1,not-a-time"], ITEMS)
    done = subprocess.run(
        [sys.executable, "-m", "genrec.data", "validate", str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "events.csv:8: bad timestamp" in done.stderr
