"""The shard planner: disjoint, complete, bounded, and stable when files are added."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from vi_ext.distributed.ledger import Ledger
from vi_ext.distributed.planner import Prefix, ShardIndex, bucket_counts, name_hash, plan_prefixes, shard_key
from vi_ext.errors import ViValidationError


def plan(names: list[str], shard_size: int) -> dict[str, Prefix]:
    index = ShardIndex(plan_prefixes(bucket_counts(names), shard_size))
    return {n: index.shard_of(n) for n in names}


def names(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return [f"train/{rnd.choice(['cat', 'dog', 'bird'])}/{i:07d}.jpg" for i in range(count)]


def test_shards_are_disjoint_complete_and_bounded() -> None:
    selection = names(20_000)
    membership = plan(selection, 1_000)
    assert set(membership) == set(selection)  # the union is the selection; a name has one shard
    sizes = Counter(membership.values())
    assert max(sizes.values()) <= 1_000
    assert len(sizes) >= 20
    regions = sorted(sizes, key=lambda p: p.start)
    for a, b in itertools.pairwise(regions):  # regions never overlap
        assert a.start + (1 << (64 - a.depth)) <= b.start


def test_membership_is_stable_when_files_are_added() -> None:
    before_names = names(12_000)
    before = plan(before_names, 1_000)
    added = [f"new/{i}.png" for i in range(3_000)]
    after = plan(before_names + added, 1_000)
    moved = {n for n in before_names if after[n] != before[n]}
    split = {before[n] for n in moved}
    # only shards that split moved, each into one of its two halves; the others kept every member
    for n in moved:
        assert after[n].depth > before[n].depth
        assert after[n].bits >> (after[n].depth - before[n].depth) == before[n].bits
    untouched = set(before.values()) - split
    assert untouched, "some shards must keep their members"
    for n in before_names:
        if before[n] in untouched:
            assert after[n] == before[n]


def test_order_and_process_do_not_matter() -> None:
    selection = names(5_000)
    shuffled = selection[:]
    random.Random(1).shuffle(shuffled)
    assert plan(selection, 500) == plan(shuffled, 500)


def test_the_hash_does_not_depend_on_the_process() -> None:
    code = "from vi_ext.distributed.planner import name_hash; print(name_hash('train/cat/1.jpg'))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert outputs == {str(name_hash("train/cat/1.jpg"))}


def test_small_selection_is_one_shard_and_odd_names_hash() -> None:
    membership = plan(["a.png", "b.png", "caf\udce9.png"], 10_000)
    assert set(membership.values()) == {Prefix(0, 0)}
    assert Prefix(0, 0).label == "00-0"


@pytest.mark.parametrize("size", [0, 10_001, True, 1.5])
def test_shard_size_is_validated(size: object) -> None:
    with pytest.raises(ViValidationError, match="shard_size"):
        plan_prefixes(bucket_counts([]), size)  # type: ignore[arg-type]


def test_shard_key_changes_with_content_not_order() -> None:
    p = Prefix(3, 5)
    members = [("a.png", 10, "111"), ("b.png", 20, "222")]
    assert shard_key(p, members) == shard_key(p, list(reversed(members)))
    assert shard_key(p, members) != shard_key(p, [("a.png", 10, "111"), ("b.png", 20, "333")])
    assert shard_key(p, members).startswith("03-5-")


def test_ledger_round_trip_and_damaged_records(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger")
    key = shard_key(Prefix(1, 1), [("a.png", 1, "x")])
    assert not ledger.done(key)
    ledger.record(key, {"succeeded": 1, "failed": 0})
    assert ledger.done(key)
    assert ledger.load(key) == {"succeeded": 1, "failed": 0}
    (tmp_path / "ledger" / f"{key}.json").write_text("{half", encoding="utf-8")
    assert not ledger.done(key)  # a damaged record means: run the shard again
    with pytest.raises(ViValidationError):
        ledger.record("../escape", {})
