"""The reference server's listening socket: accepted connections must not wait on Nagle's algorithm."""

from __future__ import annotations

import asyncio
import socket

from vi_server.serve import bind


async def _nodelay_of_accepted_connection() -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    listener = bind("127.0.0.1", 0)
    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)  # as uvicorn serves it
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        return value
    finally:
        server.close()
        await server.wait_closed()


def test_accepted_connections_have_tcp_nodelay() -> None:
    # Without it every keep-alive request waits ~40 ms for a delayed ACK (found by `make bench`).
    assert asyncio.run(_nodelay_of_accepted_connection()) != 0
