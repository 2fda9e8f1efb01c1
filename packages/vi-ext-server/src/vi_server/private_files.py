"""Files and directories that hold secrets, private from the moment they exist (issue 14.8).

The data directory is 0700; the database (it holds the URL-signing secret and key hashes) and
``credentials.json`` (a secret key) are 0600. They are created with those modes, never created
with the umask's default and tightened afterwards; a looser mode left by an older version is
tightened on start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) with the directory itself 0700.

    An existing directory is left as it is: it may be the user's own (``--data-dir .``).

    Args:
        path: The directory.
    """
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            return
        os.chmod(path, DIR_MODE)  # mkdir's mode is masked by the umask; 0700 is never looser


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and is readable and writable by its owner only.

    Args:
        path: The file (created empty if missing, atomically with mode 0600).
    """
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE))
    if stat.S_IMODE(path.stat().st_mode) & ~FILE_MODE:
        os.chmod(path, FILE_MODE)


def write_private_text(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``; the file is 0600 from its creation.

    Args:
        path: The target file.
        text: Its new content (UTF-8).
    """
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
