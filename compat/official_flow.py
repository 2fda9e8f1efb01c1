"""The official vi-sdk 0.1.0b7, unchanged, against a Vi-compatible server.

Runs ONLY in the compat virtual environment, as ``python -I official_flow.py IMAGES SAVE_DIR``
from outside the repository (the official package's top-level name is also ``vi``).
Credentials and endpoint come from DATATURE_VI_SECRET_KEY / _ORGANIZATION_ID / _API_ENDPOINT.
Prints one JSON line per step; exits non-zero at the first step that does not hold.
"""

import json
import os
import sys
from pathlib import Path

import vi


def step(name, **facts):
    print(json.dumps({"step": name, **facts}), flush=True)


def main():
    images, save_dir = Path(sys.argv[1]), Path(sys.argv[2])
    assert vi.__version__ == "0.1.0b7", vi.__version__
    originals = {p.name: p.read_bytes() for p in images.rglob("*") if p.is_file()}
    client = vi.Client()
    dataset = client.datasets.create(name="compat")
    dataset_id = dataset.dataset_id
    step("create_dataset", dataset_id=dataset_id)

    result = client.assets.upload(dataset_id=dataset_id, paths=str(images), wait_until_done=True, show_progress=False)
    assert result.total_succeeded == len(originals), (result.total_succeeded, len(originals))
    step("upload", succeeded=result.total_succeeded, sessions=len(result.sessions))

    page = client.assets.list(dataset_id=dataset_id)
    assert len(page.items) == min(10, len(originals)), len(page.items)
    step("list_first_page", items=len(page.items))

    first = page.items[0]
    asset = client.assets.get(dataset_id=dataset_id, asset_id=first.asset_id, contents=True)
    assert asset.contents is not None, "no contents"
    assert asset.contents.asset.url, "no download URL"
    step("get_with_contents", asset_id=asset.asset_id, width=asset.metadata.width)

    downloaded = client.assets.download(dataset_id=dataset_id, save_dir=str(save_dir), show_progress=False)
    got = {p.name: p.read_bytes() for p in Path(downloaded.save_dir).rglob("*") if p.is_file()}
    if os.environ.get("VI_COMPAT_NAMES_FROM_OBJECT_KEYS"):  # S3 blobs: files named by object key
        assert sorted(got.values()) == sorted(originals.values()), "downloaded bytes differ"
        assert set(got).isdisjoint(originals), "S3 download names now match: drop the exception"
    else:
        assert got == originals, sorted(set(got) ^ set(originals))
    step("download", files=len(got), identical=True)

    total = client.assets.count(dataset_id=dataset_id)
    one = client.assets.count(dataset_id=dataset_id, filter_criteria={"filename": first.filename}, strict_query=True)
    assert (total, one) == (len(originals), 1), (total, one)
    step("count", total=total, filtered=one)

    renamed = client.assets.rename(dataset_id=dataset_id, new_name="renamed-" + first.filename, asset_id=first.asset_id)
    assert renamed["assetId"] == first.asset_id, renamed
    assert renamed["filename"] == "renamed-" + first.filename, renamed
    step("rename", asset_id=first.asset_id)

    updated = client.datasets.update(dataset_id=dataset_id, spec={"name": "compat renamed", "description": "d"})
    assert (updated.name, updated.description) == ("compat renamed", "d"), updated
    step("update_dataset", new_name=updated.name)

    sessions = client.asset_sources.list_ingestion_sessions(dataset_id, "managed", "datature", "default")
    assert len(sessions.items) == len(result.sessions), (len(sessions.items), len(result.sessions))
    step("list_sessions", sessions=len(sessions.items))

    deleted = client.assets.delete(dataset_id=dataset_id, asset_id=first.asset_id)
    assert deleted.deleted
    step("delete_one", asset_id=first.asset_id)

    client.datasets.bulk_delete_assets(dataset_id=dataset_id)
    left = client.assets.list(dataset_id=dataset_id).items
    assert left == [], len(left)
    step("bulk_delete_rest", left=0)

    gone = client.datasets.delete(dataset_id)
    operation = client.datasets.get_deletion_operation(dataset_id)
    assert gone.dataset_id.endswith(dataset_id), gone
    assert operation.status.conditions, operation
    assert all(c.status.value == "Reached" for c in operation.status.conditions), operation
    step("delete_dataset", conditions=len(operation.status.conditions))


if __name__ == "__main__":
    main()
