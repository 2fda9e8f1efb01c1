"""Deterministic shards of a selection, stable when files are added (pure functions).

How: every asset filename hashes to 64 bits (BLAKE2b). A shard is a *prefix* of that hash space,
so membership depends only on the name and the tree of prefixes. The tree comes from counting
names per 20-bit bucket (a fixed 4 MiB table, however many files) and splitting every prefix that
holds more than ``shard_size`` names in two. Adding files can only make a prefix split, never
merge: the shards that gain no new files keep exactly the same members. Shards are disjoint and
cover the whole hash space, so their union is the selection.

A shard's *key* (what the ledger records) is its prefix plus a digest of its members' names,
sizes and fingerprints, so a shard whose files changed runs again.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from vi_ext.errors import ViValidationError

BUCKET_BITS = 20
HASH_BITS = 64
MAX_SESSION_ASSETS = 10_000  # one shard is at most one ingestion session


def name_hash(filename: str) -> int:
    """The 64-bit hash a filename is sharded by (stable across processes and machines)."""
    raw = filename.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def bucket_counts(filenames: Iterable[str]) -> array[int]:
    """Names per 20-bit hash bucket: the planner's only pass over the selection (O(1) memory)."""
    counts = array("Q", bytes(8 << BUCKET_BITS))
    shift = HASH_BITS - BUCKET_BITS
    for name in filenames:
        counts[name_hash(name) >> shift] += 1
    return counts


@dataclass(frozen=True, order=True)
class Prefix:
    """A shard's region of the hash space: the top ``depth`` bits equal ``bits``."""

    depth: int
    bits: int

    @property
    def label(self) -> str:
        """A short stable name, e.g. ``"03-5"`` (depth, then the prefix in hex)."""
        return f"{self.depth:02d}-{self.bits:0{max(1, (self.depth + 3) // 4)}x}"

    @property
    def start(self) -> int:
        """The first 64-bit hash in the region."""
        return self.bits << (HASH_BITS - self.depth)


def plan_prefixes(counts: array[int], shard_size: int) -> list[Prefix]:
    """Split the hash space until no region holds more than ``shard_size`` names.

    Args:
        counts: `bucket_counts` of the selection.
        shard_size: The most names one shard may hold (at most 10 000: one session).

    Returns:
        The regions, in hash order; only non-empty ones.

    Raises:
        ViValidationError: ``shard_size`` is out of range, or one 20-bit bucket alone holds more
            than ``shard_size`` names (about 5 billion files at the largest size).
    """
    if isinstance(shard_size, bool) or not isinstance(shard_size, int) or not 1 <= shard_size <= MAX_SESSION_ASSETS:
        raise ViValidationError(f"shard_size must be between 1 and {MAX_SESSION_ASSETS:,}, not {shard_size!r}")
    cumulative = array("Q", accumulate(counts, initial=0))
    out: list[Prefix] = []
    stack = [Prefix(0, 0)]
    while stack:
        prefix = stack.pop()
        width = 1 << (BUCKET_BITS - prefix.depth)
        first = prefix.bits * width
        total = cumulative[first + width] - cumulative[first]
        if total == 0:
            continue
        if total <= shard_size:
            out.append(prefix)
            continue
        if prefix.depth >= BUCKET_BITS:
            raise ViValidationError(f"{total:,} files share one hash bucket; raise shard_size (today {shard_size:,})")
        stack.extend((Prefix(prefix.depth + 1, prefix.bits * 2 + 1), Prefix(prefix.depth + 1, prefix.bits * 2)))
    return sorted(out, key=lambda p: p.start)


class ShardIndex:
    """Finds the shard of a name among planned regions."""

    def __init__(self, prefixes: list[Prefix]) -> None:
        self.prefixes = sorted(prefixes, key=lambda p: p.start)
        self._starts = [p.start for p in self.prefixes]

    def shard_of(self, filename: str) -> Prefix:
        """The region holding ``filename``.

        Args:
            filename: An asset filename of the selection the plan was made from.

        Returns:
            Its region.

        Raises:
            KeyError: The name falls in a region that was empty when the plan was made.
        """
        h = name_hash(filename)
        i = bisect.bisect_right(self._starts, h) - 1
        if i >= 0:
            prefix = self.prefixes[i]
            if h >> (HASH_BITS - prefix.depth) == prefix.bits:
                return prefix
        raise KeyError(filename)


def shard_key(prefix: Prefix, members: Iterable[tuple[str, int, str]]) -> str:
    """The ledger key of a shard: its region plus a digest of (filename, size, fingerprint) of its members.

    Args:
        prefix: The shard's region.
        members: ``(asset filename, size, fingerprint)`` for each member, any order; the
            fingerprint is whatever says "same content" cheaply (a crc32c, or mtime in ns).

    Returns:
        ``"<label>-<16 hex digits>"``.
    """
    digest = hashlib.blake2b(digest_size=8)
    for name, size, fingerprint in sorted(members):
        digest.update(f"{name}\x00{size}\x00{fingerprint}\n".encode("utf-8", "surrogatepass"))
    return f"{prefix.label}-{digest.hexdigest()}"
