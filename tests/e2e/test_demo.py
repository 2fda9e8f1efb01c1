"""`make demo` behaves (issue 7): the main job exits 0 and shows the summary, table and verification."""

from __future__ import annotations

import subprocess
import sys

from tools.generate import ROOT


def test_demo_runs_the_main_job() -> None:
    done = subprocess.run([sys.executable, "-m", "tools.demo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "24/25 succeeded, 1 failed" in done.stdout
    assert "corrupt.jpg [ECORRUPT]" in done.stdout
    assert "24 assets" in done.stdout
    assert "all 24 downloads byte-identical to the originals" in done.stdout
    assert "server stopped" in done.stdout
