"""Real images made with Pillow, for uploads in tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF", "tif": "TIFF", "gif": "GIF",
           "bmp": "BMP"}  # fmt: skip


def image_bytes(fmt: str = "jpg", size: tuple[int, int] = (64, 48), seed: int = 0) -> bytes:
    """Encode a noisy RGB image (noise keeps every file distinct and realistically sized)."""
    image = Image.effect_noise(size, 30 + seed % 50).convert("RGB")
    image.putpixel((0, 0), (seed % 256, (seed // 256) % 256, 7))
    out = io.BytesIO()
    if fmt == "gif":
        frames = [image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), image.rotate(180)]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    else:
        image.save(out, FORMATS[fmt])
    return out.getvalue()


def write_image(path: Path, fmt: str | None = None, size: tuple[int, int] = (64, 48), seed: int = 0) -> bytes:
    """Write an image to ``path`` (format from the suffix unless given); return its bytes."""
    data = image_bytes(fmt or path.suffix.lstrip(".").lower(), size, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def truncated_jpeg(seed: int = 0) -> bytes:
    """A JPEG cut in half: the header says JPEG, the data does not decode."""
    data = image_bytes("jpg", (128, 96), seed)
    return data[: len(data) // 2]
