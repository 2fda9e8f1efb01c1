"""`make bench` against the server with 1 and with 2 HTTP worker processes (issue 18.5): names and report rows."""

from __future__ import annotations

from pathlib import Path

from bench.report import write_report
from bench.run import QUICK, SCENARIOS, Measurement, base_scenario, server_workers


def test_scenario_names_say_which_server_they_run_against() -> None:
    assert [server_workers(s) for s in ("U1", "U2", "L1-10k", "D1", "U1-w2", "U2-w2", "D1-w2")] == [1, 1, 1, 1, 2, 2, 2]
    assert [base_scenario(s) for s in ("U2-w2", "L1-10k", "D1")] == ["U2", "L1", "D1"]
    assert {"U1-w2", "U2-w2", "D1-w2"} <= set(SCENARIOS)


def test_the_report_compares_one_and_two_worker_processes(tmp_path: Path) -> None:
    def m(scenario: str, runner: str, seconds: float) -> Measurement:
        return Measurement(scenario, runner, 0, True, seconds, 1.0, 40.0, 40, 1.2, "", 0.5)

    results = [m("U2", "vi_ext", 2.0), m("U2", "ceiling", 1.6), m("U2-w2", "vi_ext", 1.5), m("U2-w2", "ceiling", 0.8),
               m("D1", "vi_ext", 1.0)]  # fmt: skip
    out = tmp_path / "r.md"
    write_report(results, QUICK, out, 1.0, 2, "test")
    text = out.read_text()
    assert "| U2-w2 | ceiling | 0.80 |" in text  # its own row in the main table
    section = text.split("## Server processes", 1)[1].split("## Targets", 1)[0]
    assert "| U2 | vi_ext | 2.00 | 1.50 | 1.33× |" in section
    assert "| U2 | ceiling | 1.60 | 0.80 | 2.00× |" in section
    assert "| D1 |" not in section  # no 2-worker run to compare with
