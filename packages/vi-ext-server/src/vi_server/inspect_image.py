"""Decide whether an uploaded file is a good image, and describe it (no database, no HTTP).

Which code, when (documented in README "Reference server"):

* ``EBADSIZE``: the bytes received differ in length from the declared ``size``.
* ``ECORRUPT``: the crc32c differs from the declared one, or the content is a recognised image
  format that does not decode (e.g. a truncated JPEG), or it decodes to an absurd size.
* ``EBADMIME``: the content is not an image Pillow recognises (a text file named ``.png``), or
  the declared MIME/kind is not an image (the reference server ingests images only).
* ``ENOQUOTA``: the file is over the server's decode budget (`vi_server.limits`): an image or
  frame of more than ``max_image_pixels`` pixels (refused from its header, before decoding), more
  than ``max_decoded_pixels`` over all frames, more memory than ``decode_memory_bytes`` or more
  time than ``decode_seconds``.

The whole image is decoded, every frame of an animation included, and width, height and frame
count come from what decodes, not from what the header claims: a JPEG cut short and closed with
an EOI marker, or one whose header claims more pixels than its data holds, is ``ECORRUPT``.

A PNG named ``.jpg`` is **not** an error: the content decides, and the asset's ``mimeType`` is
the sniffed ``image/png``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pillow_avif  # noqa: F401  (registers the AVIF plugin)
import pillow_heif
from PIL import Image, UnidentifiedImageError

from vi_server.decode_budget import DecodeTimeout, cap_memory, deadline
from vi_server.limits import Limits

pillow_heif.register_heif_opener()
Image.MAX_IMAGE_PIXELS = Limits().max_image_pixels
JPEG_PAD = 16  # zero bytes standing in for the EOI marker (see `_sans_eoi`)


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


def _thumbnail(image: Image.Image, size: int, in_place: bool) -> bytes:
    thumb = image if in_place else image.copy()
    thumb.thumbnail((size, size))
    if thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


class _Padded(io.RawIOBase):
    """The first ``length`` bytes of a file followed by ``pad`` (read-only, seekable)."""

    def __init__(self, path: Path, length: int, pad: bytes) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._length = length
        self._pad = pad
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length + len(self._pad)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        n = 0
        if self._pos < self._length:
            self._file.seek(self._pos)
            n = self._file.readinto(view[: min(len(view), self._length - self._pos)]) or 0
        if n == 0 and self._pos >= self._length:
            tail = self._pad[self._pos - self._length : self._pos - self._length + len(view)]
            view[: len(tail)] = tail
            n = len(tail)
        self._pos += n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def _sans_eoi(path: Path) -> IO[bytes] | None:
    """The JPEG at ``path`` with its final EOI marker replaced by a few zero bytes, or ``None``.

    libjpeg treats an EOI met inside the entropy-coded data as a warning and fills the rest of
    the image with grey, so a JPEG cut in half and closed with ``FF D9`` "decodes". Without the
    marker a complete baseline scan still decodes (the padding covers the decoder's look-ahead),
    while a short one runs out of data and Pillow reports the file as truncated.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - 2))
        if f.read(2) != b"\xff\xd9":
            return None
    return io.BufferedReader(_Padded(path, size - 2, b"\0" * JPEG_PAD))


def _over_budget(width: int, height: int, limits: Limits) -> Verdict | None:
    if width * height > limits.max_image_pixels:
        return Verdict(
            "ENOQUOTA",
            f"{width}x{height} = {width * height} pixels is over the server's decode budget of"
            f" {limits.max_image_pixels} pixels per image",
        )
    return None


def _decode_all(path: Path, thumbnail_size: int, limits: Limits) -> Verdict:
    with Image.open(path) as probe:
        fmt = probe.format or ""
        mime = Image.MIME.get(fmt, f"image/{fmt.lower()}")
        width, height = probe.size
        sequential_jpeg = fmt == "JPEG" and not probe.info.get("progressive") and not probe.info.get("progression")
    refused = _over_budget(width, height, limits)
    if refused is not None:
        return refused
    stream = _sans_eoi(path) if sequential_jpeg else None
    try:
        with Image.open(stream or path) as image:
            animated = bool(getattr(image, "is_animated", False))
            if fmt == "JPEG":
                image.draft("RGB", (thumbnail_size * 2, thumbnail_size * 2))  # still decodes every block
            frames, decoded, thumb = 0, 0, b""
            while True:
                if frames:
                    try:
                        image.seek(frames)
                    except EOFError:
                        break
                refused = _over_budget(*image.size, limits)
                if refused is not None:
                    return refused
                decoded += image.size[0] * image.size[1]
                if decoded > limits.max_decoded_pixels:
                    return Verdict(
                        "ENOQUOTA",
                        f"the frames hold more than {limits.max_decoded_pixels} pixels together (the server's"
                        " decode budget per file)",
                    )
                image.load()
                if not frames:
                    thumb = _thumbnail(image, thumbnail_size, in_place=not animated)
                frames += 1
                if not animated:
                    break
    finally:
        if stream is not None:
            stream.close()
    return Verdict(None, "", mime, width, height, frames, thumb)


def decode(path: Path, thumbnail_size: int = 256, limits: Limits | None = None) -> Verdict:
    """Sniff and fully decode ``path`` with Pillow, within the decode budget.

    Args:
        path: The staged file.
        thumbnail_size: The thumbnail's longest side.
        limits: The budget (``Limits.from_env()`` when ``None``).

    Returns:
        The verdict (a thumbnail for a good image).
    """
    limits = limits or Limits.from_env()
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    cap_memory(limits.decode_memory_bytes)
    try:
        with warnings.catch_warnings(), deadline(limits.decode_seconds):
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode_all(path, thumbnail_size, limits)
    except UnidentifiedImageError:
        return Verdict("EBADMIME", "the content is not an image format the server recognises")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return Verdict("ENOQUOTA", f"over the server's decode budget: {exc}")
    except DecodeTimeout as exc:
        return Verdict("ENOQUOTA", f"over the server's decode budget: {exc}")
    except MemoryError:
        return Verdict(
            "ENOQUOTA",
            f"over the server's decode budget: decoding needs more than {limits.decode_memory_bytes} bytes of memory",
        )
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return Verdict("ECORRUPT", f"the image does not decode: {exc}")


def inspect(path: Path, declared: Declared, received: Received, thumbnail_size: int = 256) -> Verdict:
    """The whole decision for one file."""
    return check_declared(declared, received) or decode(path, thumbnail_size)
