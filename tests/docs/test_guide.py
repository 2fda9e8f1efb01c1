"""The project's own user guide (docs/*.md): every Python block runs, page by page, against the reference server.

The blocks of one page run in order in one fresh process (a page reads as one program); a failure
names the page and the block. The test fails, never passes, when the guide has no blocks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.images import write_image
from tests.helpers.server_harness import RunningServer
from tools.generate import ROOT

DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
RUNNER = """
import json, sys
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
for n, code in enumerate(blocks):
    print(f"--- block {n}", flush=True)
    exec(compile(code, f"{sys.argv[2]} block {n}", "exec"), namespace)
"""


def page_blocks() -> dict[str, list[str]]:
    """The Python blocks of every page of the guide, by page name."""
    pages = {page.name: BLOCK.findall(page.read_text(encoding="utf-8")) for page in sorted(DOCS.glob("*.md"))}
    return {name: blocks for name, blocks in pages.items() if blocks}


def test_the_guide_has_python_blocks() -> None:
    assert sum(len(blocks) for blocks in page_blocks().values()) >= 8
    assert "guide.md" in page_blocks()


def test_block_pattern_finds_fenced_python_only() -> None:
    text = "intro\n```python\nprint(1)\n```\n```bash\nls\n```\n```python\nx = 2\n```\n"
    assert BLOCK.findall(text) == ["print(1)\n", "x = 2\n"]


def _workdir(base: Path) -> None:
    for n, name in enumerate(["photos/a.jpg", "photos/b.png", "photos/sub/c.jpg", "more/tagged.png"]):
        write_image(base / name, seed=900 + n)
    (base / "photos" / "notes.txt").write_text("not an image", encoding="utf-8")


@pytest.mark.parametrize("page", sorted(page_blocks()))
def test_every_guide_block_runs(page: str, server: RunningServer, tmp_path: Path) -> None:
    _workdir(tmp_path)
    blocks_file = tmp_path / "blocks.json"
    blocks_file.write_text(json.dumps(page_blocks()[page]), encoding="utf-8")
    creds = server.creds
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATATURE_", "VI_EXT_"))}
    env |= {
        "DATATURE_VI_SECRET_KEY": creds["secret_key"],
        "DATATURE_VI_ORGANIZATION_ID": creds["organization_id"],
        "DATATURE_VI_API_ENDPOINT": creds["endpoint"],
    }
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, str(blocks_file), page],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, f"{page}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
