"""Header and body read timeouts for uvicorn's h11 protocol.

uvicorn closes idle keep-alive connections, but not a connection that sends half a request line
and then waits: a thousand of those hold every file descriptor and deny service. This protocol
closes a connection that does not complete its request head within ``header_timeout`` seconds of
its first byte (or of being accepted), and one whose body stalls for ``body_timeout`` seconds
while the server is waiting to read it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from vi_server.limits import Limits


class GuardedH11Protocol(H11Protocol):
    """`H11Protocol` with a request-head deadline and a body idle timeout."""

    limits = Limits()  # replaced by `protocol_for`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accepted: the request head must arrive in time."""
        super().connection_made(transport)
        self._arm_head()

    def data_received(self, data: bytes) -> None:
        """Bytes arrived: start the head deadline on a new request; reset the body idle timer."""
        if self.conn.their_state is h11.IDLE and self._head_timer is None:
            self._arm_head()
        super().data_received(data)
        self._after_events()

    def on_response_complete(self) -> None:
        """A response went out: an unread body no longer matters."""
        super().on_response_complete()
        self._cancel_body()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop both timers."""
        self._cancel_head()
        self._cancel_body()
        super().connection_lost(exc)

    # ------------------------------------------------------------------ timers
    def _after_events(self) -> None:
        state = self.conn.their_state
        if state is not h11.IDLE:
            self._cancel_head()  # the head is complete
        if state is h11.SEND_BODY and not (self.cycle is None or self.cycle.response_complete):
            self._cancel_body()
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_stalled)
        elif self._body_timer is not None and state is not h11.SEND_BODY:
            self._cancel_body()

    def _arm_head(self) -> None:
        self._cancel_head()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_too_slow)

    def _cancel_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cancel_body(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def _body_stalled(self) -> None:
        self._body_timer = None
        if self.conn.their_state is not h11.SEND_BODY or self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server is not reading: the client is not to blame
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_stalled)
            return
        self.transport.close()


def protocol_for(limits: Limits) -> type[GuardedH11Protocol]:
    """A `GuardedH11Protocol` class bound to ``limits`` (uvicorn instantiates it per connection)."""
    return type("BoundGuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})
