"""Decide whether an uploaded file is a good image, and describe it (no database, no HTTP).

Which code, when (documented in README "Reference server"):

* ``EBADSIZE``: the bytes received differ in length from the declared ``size``.
* ``ECORRUPT``: the crc32c differs from the declared one, or the content is a recognised image
  format that does not decode (e.g. a truncated JPEG), or it decodes to an absurd size.
* ``EBADMIME``: the content is not an image Pillow recognises (a text file named ``.png``), or
  the declared MIME/kind is not an image (the reference server ingests images only).

A PNG named ``.jpg`` is **not** an error: the content decides, and the asset's ``mimeType`` is
the sniffed ``image/png``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pillow_avif  # noqa: F401  (registers the AVIF plugin)
import pillow_heif
from PIL import Image, UnidentifiedImageError

pillow_heif.register_heif_opener()
Image.MAX_IMAGE_PIXELS = 40_000 * 40_000


@dataclass(frozen=True)
class Declared:
    """What the session said about the file."""

    size: int
    crc32c: int | None
    mime: str
    kind: str


@dataclass(frozen=True)
class Received:
    """What actually arrived."""

    size: int
    crc32c: int


@dataclass(frozen=True)
class Verdict:
    """The outcome: ``code`` is ``None`` for a good image."""

    code: str | None
    message: str = ""
    mime: str = ""
    width: int = 0
    height: int = 0
    frames: int = 1
    thumbnail: bytes = b""


def check_declared(declared: Declared, received: Received) -> Verdict | None:
    """Size and checksum checks that need no decoding (``None`` when both hold)."""
    if received.size != declared.size:
        return Verdict("EBADSIZE", f"declared {declared.size} bytes, received {received.size}")
    if declared.crc32c is not None and declared.crc32c != received.crc32c:
        return Verdict("ECORRUPT", f"crc32c mismatch: declared {declared.crc32c}, got {received.crc32c}")
    if declared.kind != "Image" or not declared.mime.lower().startswith("image/"):
        return Verdict("EBADMIME", f"{declared.kind} {declared.mime!r}: only images are ingested")
    return None


def _thumbnail(image: Image.Image, size: int) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((size, size))
    if thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def decode(path: Path, thumbnail_size: int = 256) -> Verdict:
    """Sniff and fully decode ``path`` with Pillow."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                fmt = image.format or ""
                mime = Image.MIME.get(fmt, f"image/{fmt.lower()}")
                width, height = image.size
                frames = int(getattr(image, "n_frames", 1))
                if fmt == "JPEG":
                    image.draft("RGB", (thumbnail_size * 2, thumbnail_size * 2))
                image.load()
                thumb = _thumbnail(image, thumbnail_size)
    except UnidentifiedImageError:
        return Verdict("EBADMIME", "the content is not an image format the server recognises")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return Verdict("ECORRUPT", f"image too large to decode safely: {exc}")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return Verdict("ECORRUPT", f"the image does not decode: {exc}")
    return Verdict(None, "", mime, width, height, frames, thumb)


def inspect(path: Path, declared: Declared, received: Received, thumbnail_size: int = 256) -> Verdict:
    """The whole decision for one file."""
    return check_declared(declared, received) or decode(path, thumbnail_size)
