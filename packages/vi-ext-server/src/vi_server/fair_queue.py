"""A FIFO queue that serves its senders in turn: one session's thousand files never starve another's one.

Items are ``(session_id, idx)`` tuples (``None`` stops a worker). Each session has its own FIFO
lane; ``get`` takes the head of the next lane in round-robin order, so a file of a session that
just started waits for at most one file of every other busy session, not for all of them.
"""

from __future__ import annotations

import queue
from collections import OrderedDict, deque
from typing import Any

Item = tuple[str, int] | None
_STOP = object()  # the lane of ``None`` items


class FairQueue(queue.Queue[Item]):
    """`queue.Queue` with round-robin service across sessions (thread-safe, same interface)."""

    def _init(self, maxsize: int) -> None:
        self._lanes: OrderedDict[Any, deque[Item]] = OrderedDict()
        self._size = 0

    def _qsize(self) -> int:
        return self._size

    def _put(self, item: Item) -> None:
        key = _STOP if item is None else item[0]
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
        lane.append(item)
        self._size += 1

    def _get(self) -> Item:
        key, lane = next(iter(self._lanes.items()))
        item = lane.popleft()
        del self._lanes[key]
        if lane:
            self._lanes[key] = lane  # back of the line
        self._size -= 1
        return item
