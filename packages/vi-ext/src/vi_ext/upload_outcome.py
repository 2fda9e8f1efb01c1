"""What an upload remembers while it streams: per-file only what its result must report.

Files that succeed are counted, not listed. A batch's files are kept (`SentBatch`) only until
its session's outcome is folded into the `Outcome` (`Outcome.fold`), so memory stays flat in the
number of files; failures carry their input position and are put back in input order at the end.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from vi_ext import convert
from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext.codes import FailureCode
from vi_ext.files import LocalFile, Skipped
from vi_ext.results import SERVER_SKIPPED, AssetUploadResult, FileFailure, first_cause

NOT_SENT = FailureCode.NOT_SENT


@dataclass
class SentBatch:
    """The files of one ingestion session whose outcome the server still has to tell."""

    files: list[tuple[int, LocalFile]] = field(default_factory=list)
    """(input position, file) of every file whose last attempt went into this session without a client failure."""
    closed: dict[int, str] = field(default_factory=dict)
    """Input position -> storage's 409 message (the session stopped before the file was taken)."""
    abandoned: int = 0
    """Files of the session never PUT (their URL died, or they failed client-side)."""
    total: int = 0
    """Assets the session was created with."""


def slim(session: m.AssetIngestionSession) -> m.AssetIngestionSession:
    """``session`` without its per-asset lists (signed URLs and specs): what a result keeps of it."""
    if session.spec.assets is None and session.status.assets is None:
        return session
    return dataclasses.replace(
        session,
        spec=dataclasses.replace(session.spec, assets=None),
        status=dataclasses.replace(session.status, assets=None),
    )


def created_session(answer: dict[str, Any], organization_id: str) -> m.AssetIngestionSession:
    """The session a create answered, its signed URLs in ``status.assets`` and ``spec.assets`` left out.

    One asset at a time: each raw asset is decoded, converted and let go before the next, so a
    10 000-asset answer is never held as raw dicts, generated models and converted models at once.
    ``spec.assets`` (the request echoed back) is not kept.

    Args:
        answer: The decoded JSON answer (its asset lists are consumed).
        organization_id: The caller's organization (for the short dataset id).

    Returns:
        The session, as `vi_ext.convert.session` gives it but with ``spec.assets`` ``None``.
    """
    status, spec = answer.get("status"), answer.get("spec")
    raw = status.pop("assets", None) if isinstance(status, dict) else None
    if isinstance(spec, dict):
        spec.pop("assets", None)
    head = convert.session(g.AssetIngestionSession.from_dict(answer), organization_id)
    if raw is None:
        return head
    if not isinstance(raw, list):
        raise TypeError(f"status.assets is not a list: {type(raw).__name__}")
    raw.reverse()
    assets: list[m.AssetForUpload] = []
    while raw:
        asset = g.AssetForUpload.from_dict(raw.pop())
        assets.append(m.AssetForUpload(convert.uploaded(asset.metadata), convert.contents(asset.upload)))
    return dataclasses.replace(head, status=dataclasses.replace(head.status, assets=assets))


@dataclass
class Outcome:
    """The result of an upload as it is folded in, batch by batch."""

    failures: list[tuple[int, FileFailure]] = field(default_factory=list)
    consequences: set[int] = field(default_factory=set)
    """Input positions of files that failed only because a session or the upload stopped."""
    existing: list[tuple[int, str]] = field(default_factory=list)
    overwritten: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    sessions: dict[str, m.AssetIngestionSession] = field(default_factory=dict)
    """Every session of the upload, slimmed (`slim`), in creation order."""
    replaces: set[str] = field(default_factory=set)
    """Asset filenames that existed before the upload (their upload replaces an asset)."""
    succeeded: int = 0
    total: int = 0
    bytes_sent: int = 0

    def fail(self, position: int, failure: FileFailure) -> None:
        """Record a file's failure (a `NOT_SENT` counts as a consequence of another failure)."""
        self.failures.append((position, failure))
        if failure.code == NOT_SENT:
            self.consequences.add(position)

    def fold(self, batch: SentBatch, session: m.AssetIngestionSession, waited: bool) -> None:
        """Fold the outcome of ``batch``'s files, as ``session`` (its latest state) tells it.

        Args:
            batch: The files sent in the session.
            session: The session as last fetched.
            waited: Whether the upload waited for ingestion (then files of a settled session
                with abandoned files count as succeeded unless an error names them).
        """
        codes, corrections = session.status.errors(), session.status.corrections()
        only_skipped = set(codes.values()) == {SERVER_SKIPPED}
        for position, f in batch.files:
            if f.filename in codes:
                self.failures.append(
                    (position, FileFailure(f.local, f.filename, codes[f.filename], corrections.get(f.filename, "")))
                )
                if codes[f.filename] == SERVER_SKIPPED and not only_skipped:
                    self.consequences.add(position)
            elif position in batch.closed:  # refused with 409 and the server names no code: never sent
                self.fail(position, FileFailure(f.local, f.filename, NOT_SENT, f"not sent: {batch.closed[position]}"))
            elif session.is_finished or (waited and batch.abandoned > 0):
                self.succeeded += 1
                if f.filename in self.replaces:
                    self.overwritten.append((position, f.local))

    def result(self, waited: bool) -> AssetUploadResult:
        """The `AssetUploadResult`, failures and lists in input order."""
        ordered = [failure for _, failure in sorted(self.failures, key=lambda pair: pair[0])]
        consequences = {failure.path for position, failure in self.failures if position in self.consequences}
        return AssetUploadResult(
            sessions=list(self.sessions.values()),
            total_files=self.total,
            total_succeeded=self.succeeded + len(self.existing),
            failures=ordered,
            skipped_files=[s.local for s in self.skipped],
            skip_reasons={s.local: s.reason for s in self.skipped},
            waited=waited,
            existing_files=[local for _, local in sorted(self.existing)],
            bytes_sent=self.bytes_sent,
            overwritten_files=[local for _, local in sorted(self.overwritten)],
            cause=first_cause(ordered, consequences),
        )
