"""The `assign_sids` RPC method: cold-start encoding with a stored artifact version."""

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from genrec.data import Dataset, ItemRecord
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.handlers import assign_sids
from genrec.rpc.models import AssignSidsRequest, AssignSidsResponse, ErrorEnvelope, Item
from genrec.server.app import create_app
from genrec.sid import BuildOptions, SidConfig, build_sids

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CTX = RpcContext(runtime="local", method="assign_sids", request_id="r1")
VERSION = "sample-pse-m4"


@pytest.fixture(autouse=True)
def artifacts_env(built: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENREC_ARTIFACTS_DIR", str(built[0].parent))


def wire(sample: Dataset, row: int) -> Item:
    return Item.model_validate(sample.items[row].to_json())


def test_one_item_cold_start_equals_the_batch_encoding(
    sample: Dataset, built: tuple[Path, dict[str, object]]
) -> None:
    sids = np.load(built[0] / "sids.npy")
    rows = [1, 2, 500, 2795]
    for row in rows:  # one item per request, as a newly ingested item arrives
        answer = assign_sids(AssignSidsRequest(artifact_version=VERSION, items=[wire(sample, row)]), CTX)
        assert answer.digits == 4 and answer.sids[0].item_id == sample.item_ids[row]
        assert answer.sids[0].codes == sids[row].tolist()
    batch = assign_sids(
        AssignSidsRequest(artifact_version=VERSION, items=[wire(sample, r) for r in rows]), CTX
    )
    assert [s.codes for s in batch.sids] == sids[rows].tolist()


def test_a_new_item_gets_a_sid(sample: Dataset) -> None:
    item = Item(id="NEW-1", title="Gentle <b>foaming</b> face wash", brand="Acme", price=7.0)
    answer = assign_sids(AssignSidsRequest(artifact_version=VERSION, items=[item]), CTX)
    assert len(answer.sids[0].codes) == 4 and all(0 <= c < 256 for c in answer.sids[0].codes)


def test_unknown_version_is_not_found() -> None:
    with pytest.raises(RpcError) as caught:
        assign_sids(AssignSidsRequest(artifact_version="no-such-v1", items=[Item(id="x", title="t")]), CTX)
    assert (caught.value.status, caught.value.error.code) == (404, "not_found")


def test_over_http(sample: Dataset, built: tuple[Path, dict[str, object]]) -> None:
    client = TestClient(create_app(token=TOKEN))
    body = {"artifact_version": VERSION, "items": [sample.items[3].to_json()]}
    response = client.post("/rpc/assign_sids", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    answer = AssignSidsResponse.model_validate(response.json())
    assert answer.sids[0].codes == np.load(built[0] / "sids.npy")[3].tolist()

    missing = client.post("/rpc/assign_sids", json={**body, "artifact_version": "v404"}, headers=AUTH)
    assert missing.status_code == 404
    assert ErrorEnvelope.model_validate(missing.json()).error.code == "not_found"
    too_many = client.post("/rpc/assign_sids", json={**body, "items": body["items"] * 1025}, headers=AUTH)
    assert too_many.status_code == 400


def test_a_directory_without_sid_codebooks_is_not_found(built: tuple[Path, dict[str, object]]) -> None:
    other = built[0].parent / "rpg-model-v1"
    other.mkdir(exist_ok=True)
    (other / "manifest.json").write_text('{"format": 1, "version": "rpg-model-v1", "model": "rpg"}')
    with pytest.raises(RpcError) as caught:
        assign_sids(AssignSidsRequest(artifact_version="rpg-model-v1", items=[Item(id="x")]), CTX)
    assert (caught.value.status, caught.value.error.code) == (404, "not_found")


def test_a_sid_artifact_a_training_job_published_is_found(
    sample: Dataset, built: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    jobs = tmp_path / "jobs"
    shutil.copytree(built[0], jobs / ".sids" / "rpg-sample-job1.sid")  # as genrec.jobs.pipeline does
    monkeypatch.setenv("GENREC_JOBS_DIR", str(jobs))
    request = AssignSidsRequest(artifact_version="rpg-sample-job1.sid", items=[wire(sample, 7)])
    answer = assign_sids(request, CTX)
    assert answer.sids[0].codes == np.load(built[0] / "sids.npy")[7].tolist()


def test_a_text_source_answers_the_vectors_a_text_set_ships(sample: Dataset) -> None:
    from genrec.embed import DEFAULT_MODEL, text_source_label
    from genrec.models.content_knn import item_vectors

    rows = [1, 500, 2795]
    items = [wire(sample, r) for r in rows]
    for source in ("meta", "phrase"):  # the rows rpg.export writes to text.f32 for that source
        label = text_source_label(source, DEFAULT_MODEL)
        answer = assign_sids(AssignSidsRequest(artifact_version=VERSION, items=items, text_source=label), CTX)
        got = np.array([s.vector for s in answer.sids], dtype=np.float32)
        assert np.abs(got - item_vectors(sample, source)[rows]).max() < 1e-5
    plain = assign_sids(AssignSidsRequest(artifact_version=VERSION, items=items), CTX)
    assert all(s.vector is None for s in plain.sids)  # only on request


@pytest.mark.parametrize("label", ["meta", "meta / no-such-encoder", "title / all-MiniLM-L6-v2", " / x"])
def test_a_bad_text_source_is_a_400_on_the_field(label: str) -> None:
    with pytest.raises(RpcError) as caught:
        assign_sids(
            AssignSidsRequest(artifact_version=VERSION, items=[Item(id="x", title="t")], text_source=label),
            CTX,
        )
    assert caught.value.status == 400 and caught.value.error.issues[0].path == ["text_source"]


def test_the_sid_encodings_vectors_are_reused_when_they_embed_the_same_texts(sample: Dataset) -> None:
    from genrec.embed import DEFAULT_MODEL, source_text, text_source_label
    from genrec.rpc.handlers import text_source, text_vectors

    items = [wire(sample, r) for r in (1, 2)]
    wanted = text_source(text_source_label("meta", DEFAULT_MODEL))
    texts = [source_text(item, "rpg", "meta") for item in items]
    sentinel = np.full((2, 3), 7.0, dtype=np.float32)  # not an embedding: proves no encoder ran
    assert text_vectors(items, wanted, (texts, DEFAULT_MODEL, sentinel)) is sentinel
    other = text_vectors(items, wanted, ([t + " x" for t in texts], DEFAULT_MODEL, sentinel))
    assert other.shape == (2, 384)  # other texts (e.g. the diffgrm template): embedded again


def test_a_phrase_built_artifact_encodes_catalogue_items_from_their_phrase(
    sample: Dataset, artifacts_dir: Path, fast_config: Callable[..., SidConfig]
) -> None:
    # Every third item gets a phrase unlike its fields (its title's first four words), as the
    # shared Amazon copies carry one; a `--text phrase` build embeds those phrases.
    def with_phrase(rec: ItemRecord, row: int) -> ItemRecord:
        phrase = " ".join((rec.title or rec.id).split()[:4])
        return replace(rec, attributes={**rec.attributes, "phrase": phrase}) if row % 3 == 0 else rec

    items = (sample.items[0], *(with_phrase(rec, row) for row, rec in enumerate(sample.items[1:], 1)))
    phrased = replace(sample, items=items)
    out = artifacts_dir / "sample-pse-m4-phrase"
    build_sids(phrased, fast_config("pse"), out, BuildOptions(template="rpg", text="phrase"))
    assert json.loads((out / "manifest.json").read_text())["text"] == "phrase"

    rows = [3, 6, 7, 501, 2793]  # phrased (multiples of 3) and plain rows
    request = AssignSidsRequest(
        artifact_version=out.name, items=[Item.model_validate(phrased.items[r].to_json()) for r in rows]
    )
    answer = assign_sids(request, CTX)
    assert [s.codes for s in answer.sids] == np.load(out / "sids.npy")[rows].tolist()
