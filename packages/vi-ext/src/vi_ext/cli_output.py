"""How the CLI prints: tables, TSV, JSON and key/value records; one row per line, never a split value.

Pure layout functions (lines of text) plus `emit_table`/`emit_record`, the thin shells that print.
A rich table is drawn only on a terminal and only when it fits its width; everywhere else the same
rows are printed as plain aligned lines, so ``vi-ext ls … | grep name`` finds whole rows.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

OUTPUTS = ("table", "tsv", "json")


def cell(value: Any) -> str:
    """One value as a single line of text (tabs and newlines become spaces)."""
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv_lines(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A header line, then one tab-separated line per row."""
    return ["\t".join(cell(v) for v in line) for line in [headers, *rows]]


def plain_lines(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: frozenset[int] = frozenset()
) -> list[str]:
    """Columns aligned with spaces, one line per row, no value ever cut or wrapped.

    Args:
        headers: Column titles.
        rows: Cell values, one sequence per row.
        right: Indexes of right-aligned (numeric) columns.

    Returns:
        The header line followed by one line per row (trailing spaces stripped).
    """
    texts = [[cell(v) for v in line] for line in [headers, *rows]]
    widths = [max(len(line[i]) for line in texts) for i in range(len(headers))]
    out = []
    for line in texts:
        parts = [v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(line, widths, strict=True))]
        out.append("  ".join(parts).rstrip())
    return out


def record_lines(fields: Mapping[str, Any], separator: str = ": ") -> list[str]:
    """``key: value`` lines, values aligned (``separator="\\t"`` for TSV)."""
    if separator == "\t":
        return [f"{key}\t{cell(value)}" for key, value in fields.items()]
    width = max((len(key) for key in fields), default=0) + len(separator)
    return [f"{key}{separator}".ljust(width) + cell(value) for key, value in fields.items()]


def human_bytes(n: float) -> str:
    """Decimal units, as storage and network speeds are usually given: ``12.3 MB``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def emit_json(payload: Any) -> None:
    """Pretty JSON on stdout."""
    click.echo(json.dumps(payload, indent=2, default=str))


def emit_table(
    output: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: frozenset[int] = frozenset(),
) -> None:
    """Print rows as ``output`` (``table`` or ``tsv``; JSON is the caller's payload)."""
    if output == "tsv":
        click.echo("\n".join(tsv_lines(headers, rows)))
        return
    if sys.stdout.isatty() and _print_rich(title, headers, rows, right):
        return
    click.echo("\n".join(plain_lines(headers, rows, right)))


def emit_record(output: str, fields: Mapping[str, Any]) -> None:
    """Print one record as ``key: value`` lines (``key<TAB>value`` with ``tsv``)."""
    click.echo("\n".join(record_lines(fields, "\t" if output == "tsv" else ": ")))


def _print_rich(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], right: frozenset[int]) -> bool:
    """Draw a rich table if it fits the terminal without wrapping any value; whether it did."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title=title)
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    if Measurement.get(console, console.options, table).maximum > console.width:
        return False
    console.print(table, markup=False)
    return True
