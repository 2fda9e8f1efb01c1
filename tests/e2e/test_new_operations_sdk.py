"""Issue 15.5 in the SDK: datasets.update/delete, assets.count/rename/list_sessions against the reference server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from vi_ext import Client, ViConflictError, ViNotFoundError, ViTimeoutError, ViValidationError
from vi_ext import models as m
from vi_ext.resources import update_body

KEY = "dtvi_" + "a" * 98


@pytest.fixture
def client(server: RunningServer) -> Client:
    return Client(config_file=server.data_dir / "credentials.json")


def _dataset_with(client: Client, tmp_path: Path, names: list[str]) -> str:
    ds = f"n{uuid.uuid4().hex[:10]}"
    client.datasets.create(ds, dataset_id=ds)
    for i, name in enumerate(names):
        write_image(tmp_path / "in" / name, seed=i)
    if names:
        result = client.assets.upload(ds, tmp_path / "in", show_progress=False)
        assert result.total_failed == 0
    return ds


def test_update_returns_the_changed_dataset(client: Client) -> None:
    ds = f"n{uuid.uuid4().hex[:10]}"
    client.datasets.create("before", dataset_id=ds, description="d0")
    updated = client.datasets.update(ds, name="after")
    assert isinstance(updated, m.Dataset)
    assert (updated.name, updated.description) == ("after", "d0")
    assert client.datasets.update(ds, description="d1").description == "d1"
    assert client.datasets.get(ds).name == "after"
    with pytest.raises(ViValidationError):
        client.datasets.update(ds)
    with pytest.raises(ViValidationError):
        client.datasets.update(ds, name=" ")
    with pytest.raises(ViNotFoundError):
        client.datasets.update("missing-ds", name="x")


def test_delete_waits_and_the_dataset_is_gone(client: Client, tmp_path: Path) -> None:
    ds = _dataset_with(client, tmp_path, ["a.jpg", "b.jpg"])
    deletion = client.datasets.delete(ds)
    assert isinstance(deletion, m.DatasetDeletion)
    assert deletion.is_finished
    assert not deletion.has_failed
    assert deletion.dataset_id == ds
    with pytest.raises(ViNotFoundError):
        client.datasets.get(ds)
    assert client.datasets.get_deletion_operation(ds) == deletion
    with pytest.raises(ViNotFoundError):
        client.datasets.delete(ds)


def _deletion_json(finished: bool) -> dict[str, Any]:
    conditions = [{"condition": "Started", "status": "Reached", "lastTransitionTime": 1}]
    conditions.append(
        {"condition": "Finished", "status": "Reached" if finished else "Waiting", "lastTransitionTime": 2}
    )
    return {"kind": "DatasetDeleteOperation", "user": "u", "workspaceId": "org", "datasetId": "org_ds",
            "selfLink": "/x", "etag": "W/1", "status": {"conditions": conditions},
            "metadata": {"timeCreated": 1, "lastUpdated": 2, "generation": 1, "attributes": {}}}  # fmt: skip


def _fake_client(handler: Any) -> Client:
    return Client(KEY, "org", "https://vi.invalid", transport=httpx.MockTransport(handler), sleep=lambda _s: None)


def test_delete_polls_an_asynchronous_deletion_until_finished() -> None:
    polls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(202, json=_deletion_json(False))
        polls.append(request.url.path)
        return httpx.Response(200, json=_deletion_json(len(polls) >= 3))

    deletion = _fake_client(handler).datasets.delete("ds")
    assert deletion.is_finished
    assert polls == ["/workspaces/org/datasets/org_ds/deleteOperation"] * 3


def test_delete_that_never_finishes_times_out_with_the_last_state() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(202 if request.method == "DELETE" else 200, json=_deletion_json(False))

    client = _fake_client(handler)
    with pytest.raises(ViTimeoutError) as err:
        client.datasets.delete("ds", timeout=0)
    assert isinstance(err.value.partial_result, m.DatasetDeletion)
    assert client.datasets.delete("ds", wait_until_done=False).is_finished is False


def test_count_matches_the_listing(client: Client, tmp_path: Path) -> None:
    ds = _dataset_with(client, tmp_path, ["a.jpg", "b.jpg", "sub/c.png"])
    assert client.assets.count(ds) == 3
    assert client.assets.count(ds, filter_criteria={"filename": "sub/"}) == 1
    assert client.assets.count(ds, filter_criteria={"filename": "a.jpg"}, strict_query=True) == 1
    with pytest.raises(ViValidationError):
        client.assets.count(ds, filter_criteria={"noSuchField": 1})


@pytest.mark.parametrize("answer", [7, {"count": 7}])
def test_count_takes_an_object_or_a_bare_integer(answer: object) -> None:
    client = _fake_client(lambda request: httpx.Response(200, content=json.dumps(answer).encode()))
    assert client.assets.count("ds") == 7


def test_rename_by_id_and_by_filename(client: Client, tmp_path: Path) -> None:
    ds = _dataset_with(client, tmp_path, ["a.jpg", "b.jpg"])
    by_name = {a.filename: a for a in client.assets.list(ds).all_items()}
    renamed = client.assets.rename(ds, "train/a.jpg", by_name["a.jpg"].asset_id)
    assert (renamed.asset_id, renamed.filename) == (by_name["a.jpg"].asset_id, "train/a.jpg")
    again = client.assets.rename(ds, "b2.jpg", filename="b.jpg")
    assert again.asset_id == by_name["b.jpg"].asset_id
    assert {a.filename for a in client.assets.list(ds).all_items()} == {"train/a.jpg", "b2.jpg"}
    with pytest.raises(ViConflictError):
        client.assets.rename(ds, "b2.jpg", filename="train/a.jpg")
    with pytest.raises(ViNotFoundError):
        client.assets.rename(ds, "x.jpg", filename="b.jpg")  # renamed away already
    with pytest.raises(ViValidationError):
        client.assets.rename(ds, "../x.jpg", renamed.asset_id)
    with pytest.raises(ViValidationError):
        client.assets.rename(ds, "x.jpg")
    with pytest.raises(ViValidationError):
        client.assets.rename(ds, "", renamed.asset_id)


def test_list_sessions_pages_through_every_session(client: Client, tmp_path: Path) -> None:
    ds = _dataset_with(client, tmp_path, [f"f{i}.jpg" for i in range(5)])
    write_image(tmp_path / "more" / "z.jpg", seed=9)
    client.assets.upload(ds, tmp_path / "more", show_progress=False)
    first = client.assets.list_sessions(ds, pagination={"page_size": 1})
    assert len(first.items) == 1
    assert first.next_page is not None
    sessions = list(first.all_items())
    assert len(sessions) == 2
    assert all(isinstance(s, m.AssetIngestionSession) and s.is_finished for s in sessions)
    assert [s.status.progress_count.total for s in sessions] == [5, 1]


def test_new_methods_validate_ids_before_sending() -> None:
    client = _fake_client(lambda request: pytest.fail(f"sent {request.url}"))
    for call in (
        lambda: client.datasets.delete("../x"),
        lambda: client.datasets.update("a/b", name="x"),
        lambda: client.assets.count("bad id"),
        lambda: client.assets.list_sessions("bad id"),
        lambda: client.assets.rename("ds", "x.jpg", "bad/id"),
    ):
        with pytest.raises(ViValidationError):
            call()


@pytest.mark.parametrize(
    ("args", "kwargs", "body"),
    [
        ((None, None), {"name": "n"}, {"name": "n"}),
        (({"name": "a", "description": "d"}, None), {"name": "b"}, {"name": "b", "description": "d"}),
        ((None, {"team": "x"}), {}, {"metadata": {"attributes": {"team": "x"}}}),
        (({"preference": {"grid": True}}, None), {}, {"preference": {"grid": True}}),
    ],
)  # fmt: skip
def test_update_body(args: tuple[Any, Any], kwargs: dict[str, Any], body: dict[str, Any]) -> None:
    assert update_body(*args, **kwargs) == body


@pytest.mark.parametrize(
    ("spec", "kwargs"),
    [(None, {}), ({"type": "vqa"}, {}), ({"name": ""}, {}), (None, {"name": "  "}), ({"name": 3}, {})],
)
def test_update_body_refuses(spec: dict[str, Any] | None, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ViValidationError):
        update_body(spec, None, **kwargs)


def test_update_takes_the_official_spec_and_metadata_arguments(client: Client) -> None:
    ds = f"n{uuid.uuid4().hex[:10]}"
    client.datasets.create("x", dataset_id=ds)
    updated = client.datasets.update(ds, spec={"name": "from spec", "description": "d"}, metadata={"k": "v"})
    assert (updated.name, updated.description) == ("from spec", "d")
