"""Turn benchmark measurements into ``results.md``: medians, ranges, ratios, targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.scale import scale_lines

if TYPE_CHECKING:
    from bench.run import Measurement, Sizes

DESCRIPTIONS = {
    "U1": "upload {small} small JPEGs (~{small_kb:.0f} KB), waiting for ingestion",
    "U2": "upload {small} small JPEGs, transfer only (no wait)",
    "U3": "upload {large} large PNGs (~{large_mb:.1f} MB), waiting",
    "L1": "iterate {listing:,} assets, page size 1000",
    "L1-10k": "iterate {listing_small:,} assets, page size 1000 (vi_ext memory check)",
    "D1": "download {downloads} assets",
    "U1-w2": "U1 against the server with 2 HTTP worker processes (`serve --workers 2`, SQLite)",
    "U2-w2": "U2 against the server with 2 HTTP worker processes",
    "D1-w2": "D1 against the server with 2 HTTP worker processes",
}
SERVER_PROCESSES = ("U1", "U2", "D1")  # measured against 1 and 2 HTTP worker processes
RUNNER_ROWS = ("vi_ext", "vi_ext_async", "official", "ceiling")  # the order of each scenario's rows


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarize(results: Sequence[Measurement]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (scenario, runner): medians and ranges over the successful runs."""
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for m in results:
        row = table.setdefault((m.scenario, m.runner), {"runs": [], "failures": []})
        (row["runs"] if m.ok else row["failures"]).append(m)
    for row in table.values():
        runs: list[Measurement] = row["runs"]
        secs = [r.seconds for r in runs]
        row["median"] = _median(secs)
        row["min"], row["max"] = (min(secs), max(secs)) if secs else (float("nan"), float("nan"))
        row["cpu"] = _median([r.cpu_seconds for r in runs])
        per_file = [r.cpu_op_seconds / r.items * 1000 for r in runs if r.items and r.cpu_op_seconds == r.cpu_op_seconds]
        row["cpu_ms_per_file"] = _median(per_file)
        row["rss"] = max((r.peak_rss_mb for r in runs), default=float("nan"))
        items = [r.items for r in runs if r.items]
        row["items"] = items[0] if items else 0
        row["mb"] = runs[0].megabytes if runs else 0.0
    return table


def _ms(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b and b == b and a == a else float("nan")


def targets(t: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """Each target of issue 8: (what, measured, met?)."""

    def med(s: str, r: str) -> float:
        row = t.get((s, r))
        return row["median"] if row and row["runs"] else float("nan")

    def rate(s: str, r: str, key: str) -> float:
        row = t.get((s, r))
        return row[key] / row["median"] if row and row["runs"] else float("nan")

    out: list[tuple[str, str, bool | None]] = []

    def add(what: str, value: float, ok: bool, unit: str = "×") -> None:
        measured = f"{value:.2f}{unit}" if value == value else "n/a"
        out.append((what, measured, ok if value == value else None))

    u1 = _ratio(med("U1", "vi_ext"), med("U1", "official"))
    add("U1 with wait: vi_ext wall ≤ 0.33 × official", u1, u1 <= 0.33)
    u2o = _ratio(med("U2", "vi_ext"), med("U2", "official"))
    add("U2 transfer only: vi_ext wall ≤ official", u2o, u2o <= 1.0)
    u2 = _ratio(rate("U2", "vi_ext", "items"), rate("U2", "ceiling", "items"))
    add("U2: vi_ext files/s ≥ 70 % of the ceiling's", u2 * 100, u2 >= 0.7, " %")
    u3 = _ratio(rate("U3", "vi_ext", "mb"), rate("U3", "ceiling", "mb"))
    add("U3: vi_ext MB/s ≥ 70 % of the ceiling's", u3 * 100, u3 >= 0.7, " %")
    rss3 = t.get(("U3", "vi_ext"), {}).get("rss", float("nan"))
    add("U3: vi_ext peak RSS < 150 MB", rss3, rss3 < 150, " MB")
    l1 = rate("L1", "vi_ext", "items")
    add("L1: ≥ 5 000 items/s", l1, l1 >= 5000, " items/s")
    rss_big = t.get(("L1", "vi_ext"), {}).get("rss", float("nan"))
    rss_small = t.get(("L1-10k", "vi_ext"), {}).get("rss", float("nan"))
    add("L1: peak RSS < 150 MB", rss_big, rss_big < 150, " MB")
    flat = _ratio(rss_big, rss_small)
    add("L1: RSS flat from 10 000 to 100 000 assets (ratio ≤ 1.2)", flat, flat <= 1.2)
    d1 = _ratio(med("D1", "vi_ext"), med("D1", "official"))
    add("D1: vi_ext wall ≤ 0.5 × official", d1, d1 <= 0.5)
    return out


def _cpu_per_file(t: dict[tuple[str, str], dict[str, Any]], scenario: str, runner: str) -> float:
    row = t.get((scenario, runner))
    return float(row["cpu_ms_per_file"]) if row and row["runs"] else float("nan")


def _items_per_second(t: dict[tuple[str, str], dict[str, Any]], scenario: str, runner: str) -> float:
    row = t.get((scenario, runner))
    return row["items"] / row["median"] if row and row["runs"] and row["median"] else float("nan")


def _wall(t: dict[tuple[str, str], dict[str, Any]], scenario: str, runner: str) -> float:
    row = t.get((scenario, runner))
    return float(row["median"]) if row and row["runs"] else float("nan")


def issue19_targets(t: dict[tuple[str, str], dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """The CPU-per-file targets of issue 19 from the measured rows: (target, measured values, met?).

    ``None`` (n/a) when a row the target needs was not measured or failed.

    Args:
        t: `summarize`'s table.

    Returns:
        One entry per target: download wall vs official (≤ 0.9×), download CPU per file vs the
        bare driver (≤ 1.1×), listing items/s vs the bare loop (≥ 0.8×), upload transfer-only
        (U2) CPU per file vs official (≤ 0.6×).
    """
    out: list[tuple[str, str, bool | None]] = []

    def add(what: str, mine: float, theirs: float, unit: str, limit: float, at_most: bool) -> None:
        ratio = _ratio(mine, theirs)
        if ratio != ratio:
            out.append((what, "n/a", None))
            return
        out.append((what, f"{mine:,.2f} {unit} vs {theirs:,.2f} {unit} = {ratio:.2f}×",
                    ratio <= limit if at_most else ratio >= limit))  # fmt: skip

    add("D1 download: vi_ext wall ≤ 0.9 × official", _wall(t, "D1", "vi_ext"), _wall(t, "D1", "official"),
        "s", 0.9, at_most=True)  # fmt: skip
    add("D1 download: vi_ext CPU per file ≤ 1.1 × the bare driver (ceiling)", _cpu_per_file(t, "D1", "vi_ext"),
        _cpu_per_file(t, "D1", "ceiling"), "ms", 1.1, at_most=True)  # fmt: skip
    add("L1 listing: vi_ext items/s ≥ 0.8 × the bare paging loop (ceiling)", _items_per_second(t, "L1", "vi_ext"),
        _items_per_second(t, "L1", "ceiling"), "items/s", 0.8, at_most=False)  # fmt: skip
    add("U2 upload, transfer only: vi_ext CPU per file ≤ 0.6 × official", _cpu_per_file(t, "U2", "vi_ext"),
        _cpu_per_file(t, "U2", "official"), "ms", 0.6, at_most=True)  # fmt: skip
    return out


def server_processes(t: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Lines comparing each runner against the server with 1 and with 2 HTTP worker processes.

    The ceiling's speed-up is how far the server's own limit moved; a runner whose wall barely
    moves while the ceiling's does is limited by the client (its share of the time).
    """
    rows = []
    for scenario in SERVER_PROCESSES:
        for runner in RUNNER_ROWS:
            one, two = t.get((scenario, runner)), t.get((f"{scenario}-w2", runner))
            if not (one and two and one["runs"] and two["runs"]):
                continue
            speed = _ratio(one["median"], two["median"])
            rows.append(f"| {scenario} | {runner} | {one['median']:.2f} | {two['median']:.2f} | {speed:.2f}× |")
    if not rows:
        return []
    return ["", "## Server processes", "",
            "Wall seconds (median) against `serve` with 1 and with 2 HTTP worker processes (SQLite, local blobs);"
            " speed-up = 1-worker wall / 2-worker wall. The ceiling's speed-up is the server's; the rest is the"
            " client's share.", "",
            "| scenario | runner | 1 worker | 2 workers | speed-up |", "|---|---|---|---|---|", *rows]  # fmt: skip


def write_report(
    results: Sequence[Measurement], sizes: Sizes, out: Path, elapsed: float, cpus: int, host: str,
    scale: list[dict[str, Any]] | None = None,
) -> None:  # fmt: skip
    """Write the markdown table (and the scale section when ``scale`` rows are given)."""
    t = summarize(results)
    large_mb = next((m.megabytes / sizes.large_files for m in results if m.scenario == "U3" and m.megabytes), 0.0)
    small_kb = next(
        (m.megabytes * 1000 / sizes.small_files for m in results if m.scenario == "U1" and m.megabytes), 0.0
    )
    fmt = {"small": sizes.small_files, "large": sizes.large_files, "large_mb": large_mb, "small_kb": small_kb, "listing": sizes.listing,
           "listing_small": sizes.listing_small, "downloads": sizes.downloads}  # fmt: skip
    lines = [
        "# Benchmark results",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {cpus} CPUs ({host}), "
        f"{sizes.reps} repetition(s) per runner, runners alternating; total {elapsed / 60:.1f} min.",
        "Wall = the runner's own timing of the operation (median, min–max); CPU = user+sys seconds of the "
        "runner process; RSS = its peak resident memory. Reference server on loopback, fresh data dir.",
        "",
        "CPU ms/file = the runner's CPU time over the operation alone (all its threads, no start-up or"
        " imports) per file or asset.",
        "vi_ext_async = `vi_ext.AsyncClient` running the same operations awaited in one event loop"
        " (U1, U2, U3, L1, D1).",
        "",
        "| scenario | runner | wall s (median) | min–max | throughput | CPU s | CPU ms/file | peak RSS MB "
        "| vs official | vs ceiling |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in DESCRIPTIONS:
        for runner in RUNNER_ROWS:
            row = t.get((scenario, runner))
            if row is None:
                continue
            if not row["runs"]:
                error = row["failures"][0].error if row["failures"] else "failed"
                lines.append(f"| {scenario} | {runner} | — | — | cannot: {error[:90]} | — | — | — | — | — |")
                continue
            unit = (
                f"{row['mb'] / row['median']:.1f} MB/s"
                if scenario.split("-")[0] in ("U3", "D1")
                else f"{row['items'] / row['median']:,.0f} items/s"
            )
            ratios = [
                _ratio(row["median"], t.get((scenario, other), {}).get("median", float("nan")))
                for other in ("official", "ceiling")
            ]
            cells = [
                "—" if runner == other or r != r else f"{r:.2f}×"
                for r, other in zip(ratios, ("official", "ceiling"), strict=True)
            ]
            lines.append(
                f"| {scenario} | {runner} | {row['median']:.2f} | {row['min']:.2f}–{row['max']:.2f} | {unit} | "
                f"{row['cpu']:.1f} | {_ms(row['cpu_ms_per_file'])} | {row['rss']:.0f} | {cells[0]} | {cells[1]} |"
            )
    lines += ["", "Scenarios:", ""] + [f"- **{k}**: {v.format(**fmt)}" for k, v in DESCRIPTIONS.items()]
    lines += server_processes(t)
    lines += ["", "## Targets", "", "| target | measured | |", "|---|---|---|"]
    for what, measured, ok in targets(t):
        lines.append(f"| {what} | {measured} | {'met' if ok else 'not met' if ok is False else 'n/a'} |")
    lines += ["", "## Targets (issue 19)", "",
              "CPU per file as in the table (the runner's CPU over the operation per file or asset); walls are medians.",
              "", "| target | measured | |", "|---|---|---|"]  # fmt: skip
    checked = issue19_targets(t)
    for what, measured, ok in checked:
        lines.append(f"| {what} | {measured} | {'met' if ok else 'not met' if ok is False else 'n/a'} |")
    if any(ok is False for _, _, ok in checked):
        lines += ["", "A target not met is explained by its profile in `bench/README.md` "
                  "(\"Listing CPU\", \"Download CPU\")."]  # fmt: skip
    if scale:
        lines += scale_lines(scale, cpus)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
