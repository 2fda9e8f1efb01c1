"""`make demo`: the whole product on a fresh embedded reference server.

Starts the server on a free loopback port, makes a folder of real images (JPEG, PNG, WebP, TIFF,
GIF in sub-folders, plus one corrupt JPEG), uploads it with a progress bar, prints the summary,
lists the dataset as a table, downloads it, verifies every byte, and stops the server.
Exits 0 only when the product behaved as it should (the corrupt file, and only it, failed).
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from PIL import Image
from rich.console import Console

from vi_ext import Client
from vi_ext.cli_commands import assets_table
from vi_server.testing.process import RunningServer

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "demo"
console = Console()


def sample_images(folder: Path) -> dict[str, bytes]:
    """Real images in sub-folders, and one corrupt JPEG; returns name -> bytes."""
    made: dict[str, bytes] = {}
    layout = [("cats", "JPEG", "jpg"), ("cats", "PNG", "png"), ("dogs", "WEBP", "webp"), ("dogs/puppies", "TIFF", "tif"),
              ("birds", "GIF", "gif"), ("birds", "JPEG", "jpeg")]  # fmt: skip
    for i in range(24):
        where, fmt, ext = layout[i % len(layout)]
        image = Image.effect_noise((160 + 8 * i, 120), 40 + i).convert("RGB")
        out = io.BytesIO()
        image.save(out, fmt)
        name = f"{where}/{fmt.lower()}-{i:02d}.{ext}"
        made[name] = out.getvalue()
    good = made["cats/jpeg-00.jpg"]
    made["cats/corrupt.jpg"] = good[: len(good) // 2]
    for name, data in made.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return made


def main() -> int:
    """Run the demo; see the module docstring."""
    shutil.rmtree(WORK, ignore_errors=True)
    images, downloads = WORK / "images", WORK / "downloads"
    console.rule("[bold]vi-ext demo")
    server = RunningServer(WORK / "server-data").start()
    console.print(f"reference server on [bold]{server.endpoint}[/] (data in {server.data_dir})")
    try:
        originals = sample_images(images)
        console.print(f"made {len(originals)} files in {images} (one of them deliberately corrupt)")
        with Client(config_file=server.data_dir / "credentials.json") as client:
            client.datasets.create("Demo pets", dataset_id="demo-pets", description="made by make demo")
            result = client.assets.upload("demo-pets", images, failure_mode="FailAfterAll")
            console.rule("upload")
            console.print(result.summary())
            assets = list(client.assets.list("demo-pets", pagination={"page_size": 100}).all_items())
            console.print(assets_table(sorted(assets, key=lambda a: a.filename)))
            console.rule("download")
            downloaded = client.assets.download("demo-pets", downloads)
            console.print(downloaded.summary())
        root = Path(downloaded.save_dir)
        wanted = {k: v for k, v in originals.items() if k != "cats/corrupt.jpg"}
        mismatched = [name for name, data in wanted.items() if (root / name).read_bytes() != data]
        stray = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) != sorted(wanted)
    finally:
        server.stop()
    checks = {
        "every good file uploaded": result.total_succeeded == len(originals) - 1,
        "the corrupt file, and only it, failed (ECORRUPT)": [(f.filename, f.code) for f in result.failures]
        == [("cats/corrupt.jpg", "ECORRUPT")],
        "listing shows every asset": len(assets) == len(originals) - 1,
        f"all {len(wanted)} downloads byte-identical to the originals": not mismatched and not stray,
    }
    console.rule("checks")
    for text, ok in checks.items():
        console.print(f"{'[green]✓' if ok else '[red]✗'}[/] {text}")
    console.print(f"\nimages: {images}\ndownloads: {root}\nserver data: {WORK / 'server-data'} (server stopped)")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
