"""The ledger of finished shards: one small JSON file per shard key, written atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from vi_ext.errors import ViValidationError

_KEY = re.compile(r"[0-9a-f-]{1,64}")


class Ledger:
    """Records which shards finished, so a re-run skips them without a server call.

    Args:
        directory: Where the records live (created when missing).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _file(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ViValidationError(f"not a shard key: {key!r}")
        return self.directory / f"{key}.json"

    def done(self, key: str) -> bool:
        """Whether the shard ``key`` finished in an earlier run."""
        return self.load(key) is not None

    def load(self, key: str) -> dict[str, Any] | None:
        """The record of a finished shard, or ``None`` (an unreadable record counts as not finished)."""
        try:
            record = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def record(self, key: str, summary: dict[str, Any]) -> None:
        """Mark the shard ``key`` finished, with its summary (temp file + rename: never half written).

        Raises:
            ViValidationError: ``key`` is not a shard key.
            OSError: The ledger folder is not writable.
        """
        target = self._file(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(summary, out, separators=(",", ":"))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
