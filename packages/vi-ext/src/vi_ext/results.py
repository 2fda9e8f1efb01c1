"""What uploads and downloads return: aggregate numbers plus one record per failed file."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vi_ext.enums import AssetIngestionError
from vi_ext.files import NOT_SENT, display_path
from vi_ext.models import AssetIngestionSession

SERVER_SKIPPED = AssetIngestionError.EUNKNOWN  # the server's code for files not ingested: the session stopped


@dataclass(frozen=True)
class FileFailure:
    """One file that did not make it: local path, asset filename, code and reason."""

    path: str
    filename: str
    code: str
    message: str


def first_cause(failures: Sequence[FileFailure], consequences: Collection[str] = ()) -> FileFailure | None:
    """The failure that explains the others.

    Args:
        failures: the failures in input order.
        consequences: paths of files only not sent or not ingested because a session or the upload stopped.

    Returns:
        The first failure whose path is not in ``consequences``; else the first failure; ``None``
        when nothing failed.
    """
    for failure in failures:
        if failure.path not in consequences:
            return failure
    return failures[0] if failures else None


@dataclass
class AssetUploadResult:
    """Aggregate of an upload across all of its ingestion sessions."""

    sessions: list[AssetIngestionSession]
    total_files: int
    total_succeeded: int
    failures: list[FileFailure]
    skipped_files: list[str] = field(default_factory=list)
    waited: bool = True
    existing_files: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    overwritten_files: list[str] = field(default_factory=list)
    """Local paths whose asset filename already existed in the dataset: their asset was replaced."""
    cause: FileFailure | None = None
    """The first real failure (not a file merely left unsent or un-ingested because of it)."""
    skip_reasons: dict[str, str] = field(default_factory=dict)
    """Why each of ``skipped_files`` was left out (unsupported extension, a glob, a default exclude)."""
    dry_run: bool = False
    """Nothing was sent: ``would_upload`` lists what an upload would send, ``failures`` what it would reject."""
    would_upload: list[str] = field(default_factory=list)
    """Dry run only: the local paths an upload would send, in input order."""

    @property
    def total_failed(self) -> int:
        """Server-side and client-side failures."""
        return len(self.failures)

    @property
    def total_processing(self) -> int:
        """Files neither succeeded nor failed yet (only without waiting; in a dry run, those it would send)."""
        return self.total_files - self.total_succeeded - self.total_failed

    @property
    def success_rate(self) -> float:
        """Succeeded files as a percentage of the files selected."""
        return 100.0 * self.total_succeeded / self.total_files if self.total_files else 0.0

    @property
    def is_complete(self) -> bool:
        """Whether every file has an outcome."""
        return self.total_processing == 0

    @property
    def session_ids(self) -> list[str]:
        """Ids of every session created, in order."""
        return [s.asset_ingestion_session_id for s in self.sessions]

    @property
    def failed_files(self) -> list[str]:
        """Local paths of the failed files, in input order."""
        return [f.path for f in self.failures]

    @property
    def duration_seconds(self) -> float:
        """From the first session's creation to the last update seen."""
        if not self.sessions:
            return 0.0
        start = min(s.metadata.time_created for s in self.sessions)
        end = max(s.metadata.last_updated for s in self.sessions)
        return max(0.0, (end - start) / 1000)

    def __iter__(self) -> Iterator[AssetIngestionSession]:
        return iter(self.sessions)

    def __len__(self) -> int:
        return len(self.sessions)

    def cause_lines(self) -> list[str]:
        """What went wrong first, and what it led to (empty when nothing failed).

        Returns:
            ``Cause: <path> [<code>] <message>`` for the first real failure, then, when that
            failure stopped the upload, ``Then: N not sent (NOT_SENT), M not ingested by the server
            (EUNKNOWN)``.
        """
        cause = self.cause or (self.failures[0] if self.failures else None)
        if cause is None:
            return []
        lines = [f"Cause: {display_path(cause.path)} [{cause.code}] {cause.message}".rstrip()]
        after = [f for f in self.failures if f is not cause]
        not_sent = sum(1 for f in after if f.code == NOT_SENT)
        skipped = sum(1 for f in after if f.code == SERVER_SKIPPED)
        if not_sent or skipped:
            lines.append(f"Then: {not_sent} not sent (NOT_SENT), {skipped} not ingested by the server (EUNKNOWN)")
        return lines

    def summary(self) -> str:
        """A human-readable summary.

        Returns:
            The counts, the cause first, then the failed files listed with their reasons (for a
            dry run: what would be uploaded, skipped and rejected).
        """
        if self.dry_run:
            return self._dry_summary()
        state = "Upload Complete" if self.is_complete else "Upload In Progress"
        lines = [
            f"{state}: {self.total_succeeded}/{self.total_files} succeeded, {self.total_failed} failed"
            + (f", {self.total_processing} processing" if self.total_processing else "")
            + f" ({self.success_rate:.1f}% succeeded)"
        ]
        lines += self.cause_lines()
        if self.overwritten_files:
            lines.append(f"Replaced (asset filename already in the dataset): {len(self.overwritten_files)} file(s)")
        lines.append(f"Sessions: {len(self.sessions)}" + (f" ({', '.join(self.session_ids)})" if self.sessions else ""))
        if self.failures:
            lines.append("Failed files:")
            lines += [f"  - {display_path(f.path)} [{f.code}] {f.message}".rstrip() for f in self.failures]
        if self.existing_files:
            lines.append(f"Already in the dataset (skipped): {len(self.existing_files)} file(s)")
        if self.skipped_files:
            lines.append(f"Skipped: {len(self.skipped_files)} file(s) ({self._skip_counts()})")
        return "\n".join(lines)

    def _skip_counts(self) -> str:
        counts: dict[str, int] = {}
        for path in self.skipped_files:
            reason = self.skip_reasons.get(path, "unsupported extension")
            counts[reason] = counts.get(reason, 0) + 1
        return ", ".join(f"{n} {reason}" for reason, n in counts.items())

    def _dry_summary(self) -> str:
        lines = [
            f"Dry run (nothing sent): {len(self.would_upload)} would be uploaded, {len(self.existing_files)} already "
            f"in the dataset, {len(self.skipped_files)} skipped, {self.total_failed} rejected"
        ]
        lines += _capped([f"  upload {display_path(p)}" for p in self.would_upload])
        lines += _capped([f"  skip   {display_path(p)} ({self.skip_reasons.get(p, '')})" for p in self.skipped_files])
        lines += _capped([f"  reject {display_path(f.path)} [{f.code}] {f.message}" for f in self.failures])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"AssetUploadResult(total_files={self.total_files}, total_succeeded={self.total_succeeded}, "
            f"total_failed={self.total_failed}, sessions={len(self.sessions)})"
        )


DRY_RUN_LINES = 50


def _capped(lines: list[str]) -> list[str]:
    """At most `DRY_RUN_LINES` lines of a dry run's listing, then how many more there are."""
    if len(lines) <= DRY_RUN_LINES:
        return lines
    return [*lines[:DRY_RUN_LINES], f"  … and {len(lines) - DRY_RUN_LINES} more"]


@dataclass(frozen=True)
class DownloadFailure:
    """One asset that could not be downloaded."""

    asset_id: str
    filename: str
    message: str


@dataclass
class AssetDownloadResult:
    """What a dataset download did; ``save_dir`` is ``<save_dir>/<dataset_id>``."""

    dataset_id: str
    save_dir: Path
    count: int
    downloaded: int
    skipped: int
    failed: int
    failures: list[DownloadFailure]
    dry_run: bool = False
    """Nothing was fetched: ``would_fetch`` lists the asset filenames a download would take."""
    would_fetch: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return str(self.save_dir)

    def summary(self) -> str:
        """A human-readable summary.

        Returns:
            The counts, the target folder and one line per failed asset (for a dry run: what
            would be fetched).
        """
        if self.dry_run:
            head = f"Dry run (nothing fetched): {len(self.would_fetch)} assets of {self.dataset_id} would be fetched"
            return "\n".join([head, *_capped([f"  fetch {name}" for name in self.would_fetch])])
        text = (
            f"{self.count} assets of {self.dataset_id}: {self.downloaded} downloaded, {self.skipped} already "
            f"present, {self.failed} failed -> {self.save_dir}"
        )
        return "\n".join([text, *(f"  - {f.filename} ({f.asset_id}): {f.message}" for f in self.failures)])
