"""The one line the CLI prints on stderr when a command fails or is interrupted (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from vi_ext.cli_output import human_bytes
from vi_ext.errors import ViError, ViNetworkError, ViTimeoutError
from vi_ext.progress import DOWNLOAD, INGEST, UPLOAD, ProgressEvent

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def error_line(exc: BaseException, organization_id: str | None = None, endpoint: str | None = None) -> str:
    """``error: <Type>: <message>``, in the user's terms.

    Args:
        exc: A vi_ext error or an OSError.
        organization_id: When known, its ``<org>_`` prefix is removed from dataset ids, so the
            user sees the id they typed.
        endpoint: When known, named in network errors ("cannot reach the server at …").

    Returns:
        One line, without a trailing newline.
    """
    text = str(exc)
    if organization_id:
        text = re.sub(rf"\b{re.escape(organization_id)}_", "", text)
    if isinstance(exc, (ViNetworkError, ViTimeoutError)) and endpoint and endpoint not in text:
        if "cannot reach the server" in text:
            text = text.replace("cannot reach the server", f"cannot reach the server at {endpoint}", 1)
        else:
            text = f"{text} (server {endpoint})"
    text = " ".join(text.split())  # one line, whatever the message held
    return f"error: {type(exc).__name__}: {text}" if isinstance(exc, ViError) else f"error: {text}"


def interrupted_line(progress: Mapping[str, ProgressEvent], resume: str) -> str:
    """What an interrupted command had done, and how to carry on.

    Args:
        progress: The last progress event of each phase seen.
        resume: How to resume (e.g. ``run the same command with --skip-existing``); empty if
            there is nothing to resume.

    Returns:
        One line, e.g. ``interrupted: 9 of 60 files sent (17.1 kB); run the same command with
        --skip-existing to resume``.
    """
    parts = []
    if UPLOAD in progress:
        up = progress[UPLOAD]
        parts.append(f"{up.done_files} of {up.total_files} files sent ({human_bytes(up.done_bytes)})")
    if INGEST in progress:
        ing = progress[INGEST]
        parts.append(f"{ing.done_files} of {ing.total_files} ingested (the server finishes the rest)")
    if DOWNLOAD in progress:
        down = progress[DOWNLOAD]
        parts.append(f"{down.done_files} of {down.total_files} assets downloaded or already there")
    done = "; ".join(parts) if parts else "nothing finished yet" if resume else ""
    line = "interrupted" + (f": {done}" if done else "")
    return f"{line}; {resume}" if resume else line
