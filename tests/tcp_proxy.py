"""A TCP proxy the tests control, to cut a real service off and bring it back.

    proxy = TcpProxy("127.0.0.1", 5432).start()     # listens on proxy.port
    proxy.cut()        # drop every open connection (reset) and refuse new ones
    proxy.blackhole()  # keep connections open but pass nothing, either way (a partition)
    proxy.restore()    # listen and pass again
    proxy.stop()

It runs its own asyncio loop in a daemon thread, so test code and the code under test
(threads or child processes) use it like the real service's address.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Any


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.mode = "pass"
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"tcp-proxy-{target_port}")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ control

    def start(self) -> "TcpProxy":
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._call(self._close(listen=False))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def cut(self) -> None:
        """Connections reset, new ones refused (the service is down or its port closed)."""
        self.mode = "cut"
        self._call(self._close(listen=False))

    def blackhole(self) -> None:
        """Connections (old and new) stay open and pass nothing (a network partition)."""
        self.mode = "blackhole"

    def restore(self) -> None:
        self.mode = "pass"
        self._call(self._listen())

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    # ------------------------------------------------------------------ the loop

    async def _listen(self) -> None:
        if self._server is not None:
            return
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def _close(self, *, listen: bool) -> None:
        if self._server is not None and not listen:
            self._server.close()
            self._server = None
        for a, b in list(self._conns):
            for w in (a, b):
                w.transport.abort()        # a reset, as when the service dies
        self._conns.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "cut":
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._conns.add(pair)
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            self._conns.discard(pair)
            for w in pair:
                w.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                while self.mode == "blackhole":      # held, as a partition holds it
                    await asyncio.sleep(0.05)
                if self.mode == "cut":
                    return
                writer.write(data)
                await writer.drain()
        # one side closed: close the other's write side so the peer sees it
        with contextlib.suppress(OSError):
            writer.transport.abort()
