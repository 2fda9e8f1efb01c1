"""schemathesis hooks for `tools/contract.py`: record which status each operation answered.

Loaded by schemathesis through ``SCHEMATHESIS_HOOKS``; appends ``<operationId> <status>`` lines to
the file named by ``VI_CONTRACT_STATUS_LOG``, so the run can fail when an operation never got past
404 (or never answered 2xx).

It also drops the coverage phase's negative cases that mutate only a path parameter pinned by
``contract/schemathesis.toml``: the pinned value replaces the mutation before the request is sent,
so such a case is not negative any more (schemathesis would still judge it as one, and, for an
operation with an integer path parameter, report the valid request's success as ST201).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

import schemathesis

_LOCK = threading.Lock()
# The path parameters contract/schemathesis.toml pins (partNumber stays generated).
PINNED_PATH = frozenset({
    "organizationId", "datasetId", "assetId", "assetSourceClass", "assetSourceProvider", "assetSourceId",
    "assetIngestionSessionId", "multipartUploadId", "deleteManyAssetsSessionId",
})  # fmt: skip


def mutates_only_pinned_path(case: Any) -> bool:
    """Whether ``case`` is a coverage-phase negative case whose every mutation is in a pinned path parameter."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_negative:
        return False
    data = meta.phase.data
    if getattr(data, "parameter_location", None) is None:
        return False
    mutations = [(m.parameter_location, m.parameter) for m in getattr(data, "mutations", ())] or [
        (data.parameter_location, data.parameter)
    ]
    return all(str(getattr(loc, "value", loc)) == "path" and name in PINNED_PATH for loc, name in mutations)


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    """Keep every case except negative ones whose mutation a pinned path value overwrites."""
    return not mutates_only_pinned_path(case)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Append the operation's id and the status to the log."""
    path = os.environ.get("VI_CONTRACT_STATUS_LOG")
    if not path:
        return
    raw = getattr(case.operation.definition, "raw", {}) or {}
    operation_id = raw.get("operationId") or case.operation.label.replace(" ", "_")
    with _LOCK, open(path, "a", encoding="utf-8") as log:
        log.write(f"{operation_id} {response.status_code}\n")


def _load_failure_filters() -> None:
    """Register contract/hooks.py too (the failures the spec cannot rule out): one hooks module per run."""
    path = Path(__file__).resolve().parent.parent / "contract" / "hooks.py"
    spec = importlib.util.spec_from_file_location("vi_contract_failure_hooks", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


_load_failure_filters()
