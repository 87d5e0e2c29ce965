"""Progress off a terminal: whole timestamped lines, no carriage returns (genrec.progress)."""

import time

import pytest

from genrec.progress import progress, stage


def test_log_lines_per_update_and_at_the_end(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("GENREC_PROGRESS_SECONDS", "0")
    assert list(progress(range(3), desc="embed", unit="text")) == [0, 1, 2]
    with progress(total=4, desc="scoring", unit="user") as bar:
        bar.update(2)
    with stage("fit OPQ"):
        time.sleep(0.01)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert lines[0].startswith("embed: 1/3 texts (33%)") and lines[2].startswith("embed: done, 3 texts in")
    assert lines[3].startswith("scoring: 2/4 users (50%)") and lines[4].startswith("scoring: done, 2 users")
    assert lines[5] == "fit OPQ ..." and lines[-1].startswith("fit OPQ: done in")


def test_inner_loops_leave_the_summary_to_their_caller(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("GENREC_PROGRESS_SECONDS", "3600")
    assert sum(progress(range(5), desc="epoch 1", unit="batch", done_line=False)) == 10
    assert capsys.readouterr().err == ""


def test_units_read_as_english_plurals(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("GENREC_PROGRESS_SECONDS", "0")
    assert sum(progress(range(3), desc="epoch 1", unit="batch")) == 3
    lines = capsys.readouterr().err.splitlines()
    assert "epoch 1: 1/3 batches (33%)" in lines[0] and "done, 3 batches in" in lines[-1]
