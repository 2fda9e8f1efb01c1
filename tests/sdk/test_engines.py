"""Engines run shard tasks and report each outcome; a dead worker process is retried."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vi_ext.distributed.engines import LocalEngine, ShardCrashed, make_engine
from vi_ext.errors import ViValidationError


def square(x: int) -> int:
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x * x


def die_once(marker: str) -> str:
    """Kills its process the first time (no marker file yet), succeeds the second time."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died", encoding="utf-8")
        os._exit(1)
    return "ok"


def always_die(_: str) -> str:
    os._exit(1)


@pytest.mark.parametrize("processes", [0, 2])
def test_local_engine_reports_results_and_errors(processes: int) -> None:
    engine = LocalEngine(processes)
    outcomes = dict(engine.run(square, [2, -1, 3], ["a", "b", "c"]))
    assert outcomes["a"] == 4
    assert outcomes["c"] == 9
    assert isinstance(outcomes["b"], ValueError)


def test_local_engine_retries_a_shard_whose_process_died(tmp_path: Path) -> None:
    outcomes = dict(LocalEngine(1, retries=2).run(die_once, [str(tmp_path / "m")], ["s"]))
    assert outcomes == {"s": "ok"}
    outcomes = dict(LocalEngine(1, retries=1).run(always_die, ["x"], ["s"]))
    assert isinstance(outcomes["s"], ShardCrashed)


def test_dask_engine_in_process_cluster() -> None:
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'vi-ext[dask]'")
    from vi_ext.distributed.engines import DaskEngine

    engine = DaskEngine(processes=0, max_concurrent_shards=1)
    try:
        outcomes = dict(engine.run(square, [2, -1, 3], ["a", "b", "c"]))
    finally:
        engine.close()
    assert outcomes["a"] == 4
    assert outcomes["c"] == 9
    assert isinstance(outcomes["b"], ValueError)


def test_unknown_engine() -> None:
    with pytest.raises(ViValidationError, match="unknown engine 'ray'"):
        make_engine("ray")


def test_a_new_local_dask_cluster_listens_on_loopback_only() -> None:
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'vi-ext[dask]'")
    psutil = pytest.importorskip("psutil", reason="psutil (a Dask dependency) lists the listening sockets")
    from vi_ext.distributed.engines import DaskEngine

    engine = DaskEngine(processes=0)
    try:
        addresses = {c.laddr.ip for c in psutil.Process().net_connections("inet") if c.status == "LISTEN"}
    finally:
        engine.close()
    assert addresses
    assert addresses <= {"127.0.0.1"}, addresses
