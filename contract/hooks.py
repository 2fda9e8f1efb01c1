"""schemathesis hooks of the contract run (loaded through ``SCHEMATHESIS_HOOKS`` by tools/contract.py).

Each hook drops one kind of failure the spec cannot rule out, decided from the request itself
(never from the server's wording, so the rule holds against any Vi-compatible server).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData


def repeats_a_filename(body: Any) -> bool:
    """Whether an ingestion-session body lists one filename twice (JSON Schema cannot forbid it)."""
    spec = body.get("spec") if isinstance(body, dict) else None
    assets = spec.get("assets") if isinstance(spec, dict) else None
    if not isinstance(assets, list):
        return False
    names = [a.get("filename") for a in assets if isinstance(a, dict)]
    return len(names) != len(set(map(repr, names)))


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Drop only a 400 to a schema-valid session whose assets repeat a filename; keep everything else."""
    operation_id = case.operation.definition.raw.get("operationId")
    return not (
        isinstance(failure, RejectedPositiveData)
        and operation_id == "createAssetIngestionSession"
        and response.status_code == 400
        and repeats_a_filename(case.body)
    )
