"""Where a download may write: never through a link, never outside the dataset folder.

The asset filename is checked first (`vi_ext.files.safe_relative`); these helpers then make sure
no directory on the way from the dataset folder to the file is a symbolic link (or junction), so a
link planted inside ``save_dir`` cannot redirect a write elsewhere, and they sweep away the temp
files an interrupted download left behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from vi_ext.errors import UnsafePathError, ViDownloadError

TEMP_PREFIX = ".vi-part-"
# what `tempfile.mkstemp(prefix=TEMP_PREFIX)` makes: 8 characters of [a-z0-9_], no suffix
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"[a-z0-9_]{8}")


def is_link(path: Path) -> bool:
    """Whether ``path`` is a symbolic link or a Windows junction (never followed)."""
    return path.is_symlink() or (hasattr(path, "is_junction") and path.is_junction())


def check_root(root: Path) -> None:
    """Refuse a dataset folder (``save_dir/<dataset_id>``) that is itself a link.

    Raises:
        ViDownloadError: ``root`` is a symbolic link or junction.
    """
    if is_link(root):
        raise ViDownloadError(
            f"{root} is a symbolic link: vi-ext never writes through links inside save_dir "
            "(remove the link or choose another save_dir)"
        )


def prepare_parent(root: Path, relative: PurePosixPath, ready: set[PurePosixPath] | None = None) -> Path:
    """Create the folders of ``relative`` under ``root`` one by one, refusing any link on the way.

    Args:
        root: the dataset folder (already checked with `check_root`).
        relative: the asset's safe relative path.
        ready: folders (relative to ``root``) this download already created and checked: they
            are not checked again for every file in them (a link planted there while the
            download runs is a race no check can close anyway). Each new folder is added.

    Returns:
        The target file path under ``root``.

    Raises:
        UnsafePathError: a folder on the way is a link or not a directory.
    """
    parent = relative.parent
    if ready is not None and parent in ready:
        return root / relative
    folder = root
    for part in relative.parts[:-1]:
        folder = folder / part
        if is_link(folder):
            shown = folder.relative_to(root).as_posix()
            raise UnsafePathError(f"{shown} is a symbolic link; vi-ext never writes through links in save_dir")
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                shown = folder.relative_to(root).as_posix()
                raise UnsafePathError(f"{shown} exists and is not a folder") from None
    if ready is not None:
        ready.add(parent)
    return folder / relative.parts[-1]


def remove_leftovers(root: Path) -> int:
    """Delete ``.vi-part-XXXXXXXX`` temp files an interrupted download left under ``root``.

    Only names exactly as `tempfile.mkstemp` makes them are touched, and links are not followed.

    Returns:
        How many were removed.
    """
    removed = 0
    for folder, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            if _TEMP_NAME.fullmatch(name):
                path = Path(folder) / name
                if path.is_symlink():
                    continue
                try:
                    path.unlink()
                    removed += 1
                except OSError:  # another process' file or a permission problem: leave it
                    pass
    return removed
