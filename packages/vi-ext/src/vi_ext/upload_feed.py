"""The streamed input of an upload: discovery pulled chunk by chunk, checked one chunk ahead, cut into batches.

Nothing here holds more than the chunk being checked, the one being batched and the batch being
sent: discovery is an iterator (a folder walk or a manifest read line by line), and every file
leaves this module either in a batch or as a recorded outcome (`Outcome`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from vi_ext.api import ApiClient
from vi_ext.custom_metadata import CustomMetadataArg, resolve
from vi_ext.errors import ViError, ViFileTooLargeError
from vi_ext.files import CHANGED, NOT_SENT, TOO_LARGE, UNREADABLE, Item, LocalFile, Rejected, Skipped, display_path
from vi_ext.overwrites import existing_names
from vi_ext.progress import Reporter
from vi_ext.results import FileFailure
from vi_ext.upload_memory import bounded_map, window_for
from vi_ext.upload_outcome import Outcome

CHECK_WORKERS = 4  # threads computing checksums of the next chunk while the current batch is sent
FIRST_BATCH = 250  # files in the first session: a small one starts the first PUT at once (see `batch_sizes`)


class Ready(NamedTuple):
    """A file checked and ready to send."""

    position: int
    file: LocalFile
    crc: int | None
    metadata: dict[str, Any] | None


@dataclass
class _Chunk:
    """Items pulled from discovery, with the checks of their files (run ahead, in another thread)."""

    items: list[tuple[int, LocalFile | Rejected]] = field(default_factory=list)
    there: set[str] = field(default_factory=set)
    crcs: dict[int, int | None] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    error: BaseException | None = None
    exhausted: bool = False


def batch_sizes(batch_size: int, total: int) -> list[int]:
    """How many files each batch (one session) holds: `FIRST_BATCH`, doubling up to ``batch_size`` (pure).

    A session of 10 000 assets takes seconds to create, so the first batches are small and the
    first PUT starts at once; from the fifth or sixth batch on every batch is ``batch_size``.

    Args:
        batch_size: The most files per batch.
        total: Files to send.

    Returns:
        Sizes adding up to at least ``total`` (the last batch may be short).
    """
    sizes: list[int] = []
    size_of = _sizes(batch_size)
    while sum(sizes) < total:
        sizes.append(next(size_of))
    return sizes


def _sizes(batch_size: int) -> Iterator[int]:
    """`batch_sizes` without an end: what a streamed upload uses, not knowing its total."""
    size = min(batch_size, FIRST_BATCH)
    while True:
        yield size
        size = min(batch_size, size * 2)


class Feed:
    """Turns a stream of discovered items into checked batches, recording every other outcome."""

    def __init__(
        self,
        stream: Iterator[Item],
        outcome: Outcome,
        reporter: Reporter,
        api: ApiClient,
        dataset: str,
        find_existing: Callable[[list[LocalFile]], set[str]] | None,
        custom_metadata: CustomMetadataArg,
        too_large_raises: bool,
        crc: Callable[[LocalFile], int | None],
    ) -> None:
        self.stream = stream
        self.outcome = outcome
        self.reporter = reporter
        self.api = api
        self.dataset = dataset
        self.find_existing = find_existing
        self.custom_metadata = custom_metadata
        self.too_large_raises = too_large_raises
        self.crc = crc
        """Under FailAfterOne, until the first session is created: a too-large file raises `ViFileTooLargeError`."""
        self._position = 0
        self._buffer: list[Ready] = []
        self._unsent: list[Ready] = []
        self._left: _Chunk | None = None
        self._left_at = 0
        self._pending: Future[_Chunk] | None = None
        self.handled: set[int] = set()
        """Positions of the batch being sent whose outcome is already recorded (the rest is not sent on a stop)."""

    # ------------------------------------------------------------------ ahead (one worker thread)
    def _pull(self, count: int) -> _Chunk:
        chunk = _Chunk()
        try:
            while len(chunk.items) < count:
                item = next(self.stream, None)
                if item is None:
                    chunk.exhausted = True
                    break
                if isinstance(item, Skipped):
                    self.outcome.skipped.append(item)
                    continue
                chunk.items.append((self._position, item))
                self._position += 1
        except ViError as exc:  # a bad manifest line, or nothing found: raised where the chunk is used
            chunk.error, chunk.exhausted = exc, True
        return chunk

    def _check(self, count: int, checks: ThreadPoolExecutor) -> _Chunk:
        chunk = self._pull(count)
        files = [(p, f) for p, f in chunk.items if isinstance(f, LocalFile)]
        if not files:
            return chunk
        try:
            chunk.there = self.find_existing([f for _, f in files]) if self.find_existing is not None else set()
            todo = [(p, f) for p, f in files if f.local not in chunk.there]
            names = checks.submit(existing_names, self.api, self.dataset, [f.filename for _, f in todo])
            crcs = bounded_map(checks, self.crc, [f for _, f in todo], window_for(CHECK_WORKERS))
            chunk.crcs = dict(zip((p for p, _ in todo), crcs, strict=True))
            chunk.names = names.result()
        except ViError as exc:
            chunk.error = exc
        return chunk

    # ------------------------------------------------------------------ main thread
    def batches(
        self, batch_size: int, checks: ThreadPoolExecutor, ahead: ThreadPoolExecutor
    ) -> Generator[tuple[list[Ready], bool], None, None]:
        """Checked batches in input order, the next chunk always being checked ahead.

        Yields:
            ``(batch, more)``: the files to send, and whether more may follow.

        Raises:
            ViError: discovery or a check failed (the items concerned are kept for `drain`).
            ViFileTooLargeError: see ``too_large_raises``.
        """
        sizes = _sizes(batch_size)
        size = next(sizes)
        self._pending = ahead.submit(self._check, size, checks)
        while self._pending is not None:  # a chunk checked ahead and not used is awaited by `drain` or the executor
            chunk = self._pending.result()
            self._pending = None if chunk.exhausted else ahead.submit(self._check, size, checks)
            self._take(chunk)
            while len(self._buffer) >= size or (self._buffer and self._pending is None):
                batch, self._buffer = self._buffer[:size], self._buffer[size:]
                self._unsent, self.handled = batch, set()
                yield batch, bool(self._buffer) or self._pending is not None
                self._unsent = []
                size = next(sizes)

    def _take(self, chunk: _Chunk) -> None:
        """Record the outcomes a chunk already has; its sendable files join the buffer."""
        self._left, self._left_at = chunk, 0
        if chunk.error is not None:
            raise chunk.error
        outcome = self.outcome
        outcome.replaces |= chunk.names
        found = [f for _, f in chunk.items if isinstance(f, LocalFile)]
        self.reporter.grow(files=len(found), nbytes=sum(f.size for f in found))
        for index, (position, item) in enumerate(chunk.items):
            self._left_at = index
            if isinstance(item, Rejected):
                if item.code == TOO_LARGE and self.too_large_raises:
                    raise ViFileTooLargeError(f"{item.local}: {item.message}; nothing was uploaded", status_code=None)
                outcome.fail(position, FileFailure(item.local, item.filename, item.code, item.message))
            elif item.local in chunk.there:
                outcome.existing.append((position, item.local))
                self.reporter.advance(files=1, nbytes=item.size)
            else:
                crc = chunk.crcs[position]
                if crc is None:
                    outcome.fail(
                        position, FileFailure(item.local, item.filename, UNREADABLE, "the file could not be read")
                    )
                elif item.crc32c is not None and crc != item.crc32c:
                    message = "its crc32c differs from the manifest's (the file changed)"
                    outcome.fail(position, FileFailure(item.local, item.filename, CHANGED, message))
                else:
                    given = item.custom_metadata if item.custom_metadata is not None else self.custom_metadata
                    metadata = resolve(given, item.local, display_path(item.local))
                    self._buffer.append(Ready(position, item, crc, metadata))
        self._left = None

    @property
    def total(self) -> int:
        """Files and rejections pulled from discovery so far (all of them once it is exhausted or drained)."""
        return self._position

    def drain(self, message: str) -> None:
        """Stop: every file not yet sent or decided is `NOT_SENT` with ``message``; the rest of discovery is read.

        Args:
            message: Why the files were not sent.
        """
        for ready in [*self._unsent, *self._buffer]:
            if ready.position not in self.handled:
                self._not_sent(ready.position, ready.file, set(), message)
        self._unsent, self._buffer = [], []
        if self._left is not None:  # the chunk `_take` stopped in: from the item it stopped at
            for position, item in self._left.items[self._left_at :]:
                self._not_sent(position, item, self._left.there, message)
            self._left = None
        if self._pending is not None:
            chunk = self._pending.result()
            self._pending = None
            for position, item in chunk.items:
                self._not_sent(position, item, chunk.there, message)
        try:
            for rest in self.stream:
                if isinstance(rest, Skipped):
                    self.outcome.skipped.append(rest)
                    continue
                self._not_sent(self._position, rest, set(), message)
                self._position += 1
        except ViError:
            pass  # the stream's own error ends it; the upload already stopped for another reason

    def _not_sent(self, position: int, item: LocalFile | Rejected, there: set[str], message: str) -> None:
        if isinstance(item, Rejected):
            self.outcome.fail(position, FileFailure(item.local, item.filename, item.code, item.message))
        elif item.local in there:
            self.outcome.existing.append((position, item.local))
        else:
            self.outcome.fail(position, FileFailure(item.local, item.filename, NOT_SENT, message))
