"""The client-side failure codes of per-file results (server codes such as ``ECORRUPT`` come from ingestion).

Each is a `StrEnum`, so a code compares equal to its string and prints as it; the strings are part
of the JSON output of the CLI and never change.
"""

from __future__ import annotations

from enum import StrEnum


class FailureCode(StrEnum):
    """Why a file was not uploaded or an asset was not downloaded (``FileFailure.code`` and the
    ``DownloadFailure`` message prefix)."""

    # uploads: refused before anything is sent
    UNSUPPORTED_EXTENSION = "UNSUPPORTED_EXTENSION"
    EMPTY_FILE = "EMPTY_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNREADABLE = "UNREADABLE"
    DUPLICATE_FILENAME = "DUPLICATE_FILENAME"
    INVALID_FILENAME = "INVALID_FILENAME"  # not valid UTF-8 (e.g. b"caf\xe9.png" on Linux), or too long
    FILE_MISSING = "FILE_MISSING"  # a manifest entry whose file is not there
    FILE_CHANGED = "FILE_CHANGED"  # a manifest entry whose file no longer has the manifest's size or crc32c
    # uploads: sending
    UPLOAD_FAILED = "UPLOAD_FAILED"
    NOT_SENT = "NOT_SENT"  # never sent: the upload (or its session) stopped first
    # downloads
    UNSAFE_FILENAME = "UNSAFE_FILENAME"
    UNSAFE_PATH = "UNSAFE_PATH"
    DOWNLOAD_FAILED = "DOWNLOAD_FAILED"
