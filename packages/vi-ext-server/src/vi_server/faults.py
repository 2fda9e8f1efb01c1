"""A seeded fault layer (ASGI middleware): the network and server misbehaving on purpose.

``vi-ext serve --faults 5xx=0.1,reset=0.05,429=0.02 --fault-seed 7`` wraps every route, API and
signed-URL storage alike. Kinds, each drawn per request at its rate:

* ``5xx``: answer 503 without doing anything;
* ``429``: answer 429 with ``Retry-After: 1`` without doing anything;
* ``reset``: cut the connection — half the time before the request is handled (nothing done),
  half the time after (the work is done, the answer is lost mid-body);
* ``truncate``: handle the request, then send only part of the body and close;
* ``slow``: wait ``slow_seconds`` before handling.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
KINDS = ("5xx", "429", "reset", "truncate", "slow")


class InjectedReset(Exception):
    """Raised after a partial answer so the server closes the connection."""


@dataclass
class FaultPlan:
    """Rates per kind, and the seeded generator that draws them."""

    rates: dict[str, float]
    seed: int = 0
    slow_seconds: float = 0.3
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(KINDS)
        if unknown or any(not 0 <= r <= 1 for r in self.rates.values()) or sum(self.rates.values()) > 1:
            raise ValueError(f"fault rates must be kinds of {KINDS} in [0, 1] summing to at most 1: {self.rates}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, text: str, seed: int = 0) -> FaultPlan:
        """``"5xx=0.1,reset=0.05"`` -> a plan."""
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            kind, _, value = part.partition("=")
            rates[kind.strip()] = float(value)
        return cls(rates, seed)

    def draw(self) -> str | None:
        """The fault for the next request (``None`` for none)."""
        with self._lock:
            x = self._rng.random()
            for kind in KINDS:
                x -= self.rates.get(kind, 0.0)
                if x < 0:
                    self.counts[kind] = self.counts.get(kind, 0) + 1
                    return kind
            return None

    def coin(self) -> bool:
        """A seeded coin flip."""
        with self._lock:
            return self._rng.random() < 0.5


def fault_middleware(app: ASGIApp, plan: FaultPlan) -> ASGIApp:
    """Wrap ``app`` so requests meet the faults of ``plan``."""

    async def respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *headers]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    async def cut(send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise InjectedReset("injected connection reset")

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        kind = plan.draw()
        if kind == "5xx":
            await respond(send, 503, [], b'{"message": "injected 503", "status": 503}')
        elif kind == "429":
            await respond(send, 429, [(b"retry-after", b"1")], b'{"message": "injected 429", "status": 429}')
        elif kind == "reset" and plan.coin():
            await cut(send)  # before: nothing was done
        elif kind in ("reset", "truncate"):
            await app(scope, receive, _truncating(send, reset=kind == "reset"))
        else:
            if kind == "slow":
                await asyncio.sleep(plan.slow_seconds)
            await app(scope, receive, send)

    return wrapped


def _truncating(send: Send, reset: bool) -> Send:
    """A ``send`` that lets the headers through, then only part of the body, then breaks."""
    state = {"sent": False}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
            return
        if state["sent"]:
            return
        body = bytes(message.get("body", b""))
        keep = 0 if reset else max(1, len(body) // 2)
        if not body and message.get("more_body"):
            return
        state["sent"] = True
        await send({"type": "http.response.body", "body": body[:keep], "more_body": True})
        raise InjectedReset("injected truncation")

    return wrapped
