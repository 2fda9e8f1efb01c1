"""The "Targets (issue 19)" section of the bench report and the AsyncClient runner's place in the harness."""

from __future__ import annotations

from pathlib import Path

from bench.report import issue19_targets, summarize, write_report
from bench.run import QUICK, RUNNERS, Measurement, takes_part


def m(scenario: str, runner: str, seconds: float, cpu_op: float, items: int = 1000) -> Measurement:
    return Measurement(scenario, runner, 0, True, seconds, cpu_op + 0.3, 50.0, items, 30.0, "", cpu_op)


def rows(d1_vi: float, d1_vi_cpu: float, l1_vi: float, u2_vi_cpu: float) -> list[Measurement]:
    """D1: official 1.0 s, ceiling 1.0 ms/file; L1: ceiling 10 s for 100 000; U2: official 2.0 ms/file."""
    return [
        m("D1", "vi_ext", d1_vi, d1_vi_cpu), m("D1", "official", 1.0, 1.2), m("D1", "ceiling", 1.1, 1.0),
        m("L1", "vi_ext", l1_vi, 4.0, 100_000), m("L1", "ceiling", 10.0, 1.5, 100_000),
        m("U2", "vi_ext", 5.0, u2_vi_cpu, 2000), m("U2", "official", 8.0, 4.0, 2000),
    ]  # fmt: skip


def test_every_target_met() -> None:
    got = issue19_targets(summarize(rows(d1_vi=0.85, d1_vi_cpu=1.05, l1_vi=12.0, u2_vi_cpu=2.2)))
    assert [ok for _, _, ok in got] == [True, True, True, True]
    assert got[0][1] == "0.85 s vs 1.00 s = 0.85×"
    assert got[1][1] == "1.05 ms vs 1.00 ms = 1.05×"  # CPU per file: 1.05 s / 1000 files
    assert got[2][1] == "8,333.33 items/s vs 10,000.00 items/s = 0.83×"
    assert got[3][1] == "1.10 ms vs 2.00 ms = 0.55×"


def test_every_target_missed() -> None:
    got = issue19_targets(summarize(rows(d1_vi=0.95, d1_vi_cpu=1.2, l1_vi=13.0, u2_vi_cpu=2.6)))
    assert [ok for _, _, ok in got] == [False, False, False, False]
    assert [measured.rsplit("= ", 1)[1] for _, measured, _ in got] == ["0.95×", "1.20×", "0.77×", "0.65×"]


def test_a_target_without_its_rows_is_not_applicable() -> None:
    failed = Measurement("D1", "official", 0, False, 0.0, 0.0, 0.0, None, 0.0, "boom")
    results = [r for r in rows(0.85, 1.05, 12.0, 2.2) if (r.scenario, r.runner) != ("D1", "official")] + [failed]
    got = issue19_targets(summarize(results))
    assert got[0] == ("D1 download: vi_ext wall ≤ 0.9 × official", "n/a", None)
    assert [ok for _, _, ok in got[1:]] == [True, True, True]


def test_the_report_has_the_section_and_the_async_rows(tmp_path: Path) -> None:
    results = [*rows(0.95, 1.05, 12.0, 2.2), m("D1", "vi_ext_async", 1.3, 1.4)]
    out = tmp_path / "r.md"
    write_report(results, QUICK, out, 1.0, 2, "test")
    text = out.read_text()
    assert "| D1 | vi_ext_async | 1.30 |" in text
    section = text.split("## Targets (issue 19)", 1)[1]
    assert "| D1 download: vi_ext wall ≤ 0.9 × official | 0.95 s vs 1.00 s = 0.95× | not met |" in section
    assert (
        "| D1 download: vi_ext CPU per file ≤ 1.1 × the bare driver (ceiling) | 1.05 ms vs 1.00 ms = 1.05× | met |"
        in (section)
    )


def test_the_async_runner_runs_the_scenarios_it_can() -> None:
    assert "vi_ext_async" in RUNNERS
    taken = [
        s for s in ("U1", "U2", "U3", "L1", "L1-10k", "D1", "U2-w2", "D1-w2") if takes_part("vi_ext_async", s, RUNNERS)
    ]
    assert taken == ["U1", "U2", "U3", "L1", "D1", "U2-w2", "D1-w2"]
    assert takes_part("vi_ext", "L1-10k", RUNNERS)
    assert not takes_part("ceiling", "L1-10k", RUNNERS)
    assert not takes_part("vi_ext_async", "D1", ("vi_ext", "ceiling"))
