"""Engines that run shard tasks: ``local`` (processes on this machine) and ``dask`` (a Dask cluster).

An engine only runs picklable top-level functions over tasks and hands back each task's outcome
(its result or the exception it ended with) as tasks finish. Everything else — planning, the
ledger, merging — is engine-independent, so a Ray adapter needs only this small interface.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from vi_ext.errors import ShardCrashed as ShardCrashed  # re-exported: imported from here
from vi_ext.errors import ViConfigurationError, ViValidationError

T = TypeVar("T")
R = TypeVar("R")
ENGINES = ("local", "dask")


class Engine(Protocol):
    """What the driver needs from an execution engine."""

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], keys: Sequence[str]
    ) -> Iterator[tuple[str, R | BaseException]]:
        """Run ``fn`` over ``tasks``; yield ``(key, result or exception)`` as each finishes."""
        ...

    def close(self) -> None:
        """Release what the engine started (not a cluster the caller brought)."""
        ...


class LocalEngine:
    """Shard tasks in worker processes of this machine (threads when ``processes=0``), no Dask needed.

    Args:
        processes: Worker processes (0: threads of this process, for tests).
        retries: How often a shard whose process died is tried again.
    """

    def __init__(self, processes: int = 2, retries: int = 2) -> None:
        if processes < 0 or retries < 0:
            raise ViValidationError("processes and retries must not be negative")
        self.processes = processes
        self.retries = retries

    def _pool(self) -> ProcessPoolExecutor | ThreadPoolExecutor:
        if self.processes == 0:
            return ThreadPoolExecutor(max_workers=2, thread_name_prefix="vi-shard")
        return ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"))

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], keys: Sequence[str]
    ) -> Iterator[tuple[str, R | BaseException]]:
        """Run ``fn`` over ``tasks`` (see `Engine.run`); a broken pool is rebuilt and its shards retried."""
        todo = dict(zip(keys, tasks, strict=True))
        attempts = dict.fromkeys(keys, 0)
        while todo:
            with self._pool() as pool:
                running: dict[Future[R], str] = {pool.submit(fn, todo[k]): k for k in todo}
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        key = running.pop(future)
                        exc = future.exception()
                        if isinstance(exc, BrokenProcessPool):
                            attempts[key] += 1
                            if attempts[key] > self.retries:
                                todo.pop(key)
                                yield key, ShardCrashed(f"shard {key}: its worker process died {attempts[key]} times")
                            continue
                        todo.pop(key)
                        yield key, exc if exc is not None else future.result()

    def close(self) -> None:
        """Nothing to release: pools live for one `run`."""


class DaskEngine:
    """Shard tasks on a Dask cluster: the caller's ``dask.distributed.Client``, or a local cluster.

    Args:
        client: A connected ``distributed.Client``; when ``None``, one is made from ``scheduler``
            (an address) or a new ``LocalCluster``.
        scheduler: A scheduler address such as ``tcp://10.0.0.5:8786``.
        retries: How often Dask re-runs a shard whose worker died.
        max_concurrent_shards: Cluster-wide cap on shards running at once (a Dask semaphore), so the
            requests in flight stay under ``max_concurrent_shards × max_workers``.
        processes: For a new local cluster: worker processes (0: an in-process cluster, for tests).
    """

    def __init__(
        self,
        client: Any = None,
        *,
        scheduler: str | None = None,
        retries: int = 2,
        max_concurrent_shards: int | None = None,
        processes: int = 2,
    ) -> None:
        try:  # typed as Any: Dask is an optional extra and ships no type information
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise ViConfigurationError(
                'engine="dask" needs Dask: pip install "vi-ext[dask]" (or use engine="local")'
            ) from None
        self._distributed = distributed
        self._owned: list[Any] = []
        if client is None:
            if scheduler:
                client = distributed.Client(scheduler)
            else:
                # in-process clusters talk over inproc://; process clusters stay on loopback
                where = {"host": "127.0.0.1"} if processes > 0 else {}
                # their HTTP servers (dashboard, health) on loopback too, on free ports
                cluster = distributed.LocalCluster(
                    n_workers=max(processes, 1), threads_per_worker=1, processes=processes > 0,
                    dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0", **where,
                )  # fmt: skip
                self._owned.append(cluster)
                client = distributed.Client(cluster)
            self._owned.insert(0, client)
        self.client = client
        self.retries = retries
        self.semaphore: Any = None
        if max_concurrent_shards:  # pickles as (name, max_leases): every worker shares the one on the scheduler
            self.semaphore = distributed.Semaphore(max_leases=max_concurrent_shards, name=f"vi-ext-{id(self):x}")

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], keys: Sequence[str]
    ) -> Iterator[tuple[str, R | BaseException]]:
        """Run ``fn`` over ``tasks`` on the cluster (see `Engine.run`)."""
        if self.semaphore is not None:
            futures = self.client.map(
                _leased, [fn] * len(tasks), tasks, [self.semaphore] * len(tasks),
                key=list(keys), retries=self.retries, pure=False,
            )  # fmt: skip
        else:
            futures = self.client.map(fn, tasks, key=list(keys), retries=self.retries, pure=False)
        by_key = {f.key: k for f, k in zip(futures, keys, strict=True)}
        for future in self._distributed.as_completed(futures):
            key = by_key[future.key]
            if future.status == "error":
                yield key, future.exception()
            else:
                yield key, future.result()
            future.release()

    def close(self) -> None:
        """Close the client and cluster this engine started (never one the caller passed in)."""
        for owned in self._owned:
            owned.close()
        self._owned.clear()


def _leased(fn: Callable[[T], R], task: T, semaphore: Any) -> R:
    """Run ``fn(task)`` holding one lease of the cluster-wide ``semaphore``."""
    with semaphore:
        return fn(task)


def make_engine(
    name: str,
    *,
    dask_client: Any = None,
    scheduler: str | None = None,
    processes: int = 2,
    max_concurrent_shards: int | None = None,
) -> Engine:
    """The engine called ``name``.

    Args:
        name: ``"local"`` or ``"dask"``.
        dask_client: A ``distributed.Client`` to use (``dask`` only).
        scheduler: A Dask scheduler address (``dask`` only).
        processes: Worker processes for a local pool or a new local cluster (0: in-process).
        max_concurrent_shards: Cluster-wide cap on shards running at once (``dask`` only; the
            local engine runs at most ``processes`` shards at once anyway).

    Returns:
        The engine; call ``close()`` when done.

    Raises:
        ViValidationError: Unknown engine name.
        ViConfigurationError: ``dask`` without Dask installed.
    """
    if name == "local":
        return LocalEngine(processes)
    if name == "dask":
        return DaskEngine(
            dask_client, scheduler=scheduler, processes=processes, max_concurrent_shards=max_concurrent_shards
        )
    raise ViValidationError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
