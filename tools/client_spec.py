"""Spec transform applied before code generation (the only place generator output is steered).

`openapi.yaml` states what the server must send, strictly: it is what the contract tests check.
The generated client must instead survive a server that is newer than the spec, so this
transform opens the parts that a server may extend:

* a schema marked ``x-vi-open-enum: true`` loses its ``enum`` (the generated field becomes
  ``str``; ``vi_ext`` maps known values to its own enums and keeps unknown ones as strings);
* a ``oneOf`` marked ``x-vi-open-union: Name`` gets a last variant ``Name`` that accepts any
  object with a string ``kind``, so an unknown event kind decodes instead of failing;
* a parameter stated as JSON content (``content: application/json``, e.g. ``filter``) becomes a
  plain string parameter: openapi-python-client 0.29 cannot generate ``content`` parameters
  ("Parameter has no schema"), and ``vi_ext`` encodes the JSON text itself;
* an object's ``anyOf`` of bare ``required`` lists ("``message`` or ``error``", on ``Error``) is
  dropped: the generator turns it into an untyped union and loses the model, while the rule
  only matters to the contract run (``vi_ext`` reads error bodies itself).

Remove a rule only when openapi-python-client grows open enums / tolerant unions itself
(tests/contract/test_spec.py checks the tolerance through the generated models).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

OPEN_ENUM = "x-vi-open-enum"
OPEN_UNION = "x-vi-open-union"


def open_enum(schema: dict[str, Any]) -> dict[str, Any]:
    """Return ``schema`` as a plain string schema that lists the known values in its description."""
    out = {k: v for k, v in schema.items() if k not in ("enum", "x-enum-varnames", OPEN_ENUM)}
    known = ", ".join(f"`{value}`" for value in schema.get("enum", []))
    out["description"] = f"{schema.get('description', '').rstrip()} Known values: {known}.".strip()
    return out


def unknown_variant(name: str) -> dict[str, Any]:
    """Return the catch-all variant appended to an open union."""
    return {
        "type": "object",
        "description": f"{name}: a variant this client does not know yet (kept as is).",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "description": "Variant tag."}},
        "example": {"kind": "SomethingNew"},
    }


def json_text_parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    """Return ``parameter`` with its ``content: application/json`` replaced by a string schema."""
    out = {k: v for k, v in parameter.items() if k != "content"}
    out["schema"] = {"type": "string", "description": "JSON text."}
    return out


def _required_only_any_of(schema: dict[str, Any]) -> bool:
    alternatives = schema.get("anyOf")
    return isinstance(alternatives, list) and all(set(a) == {"required"} for a in alternatives)


def _json_content(parameter: Any) -> bool:
    return isinstance(parameter, dict) and "application/json" in parameter.get("content", {})


def transform(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the generator's copy of ``spec`` (the input is left unchanged)."""
    out = copy.deepcopy(spec)
    schemas: dict[str, Any] = out["components"]["schemas"]
    added: dict[str, Any] = {}
    for name, schema in schemas.items():
        if _required_only_any_of(schema):
            del schema["anyOf"]
        if schema.get(OPEN_ENUM):
            schemas[name] = open_enum(schema)
        elif OPEN_UNION in schema:
            fallback = schema.pop(OPEN_UNION)
            schema["oneOf"] = [*schema["oneOf"], {"$ref": f"#/components/schemas/{fallback}"}]
            added[fallback] = unknown_variant(fallback)
    schemas.update(added)
    parameters: dict[str, Any] = out["components"].get("parameters", {})
    for name, parameter in parameters.items():
        if _json_content(parameter):
            parameters[name] = json_text_parameter(parameter)
    for item in out["paths"].values():
        for holder in [item, *(op for op in item.values() if isinstance(op, dict))]:
            listed = holder.get("parameters") if isinstance(holder, dict) else None
            if isinstance(listed, list):
                holder["parameters"] = [json_text_parameter(p) if _json_content(p) else p for p in listed]
    return out


def main(argv: list[str]) -> int:
    """``python -m tools.client_spec IN OUT``: write the transformed spec as JSON."""
    source, target = Path(argv[0]), Path(argv[1])
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    target.write_text(json.dumps(transform(spec), indent=1, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
