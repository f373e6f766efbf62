"""A chat client over the WebSocket API (the ``websockets`` library), for the end-to-end
tests and ``make bench``: one connection of one account, the frames it received kept by
type so a test can wait for the one it expects."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import ClientConnection, connect


class ChatSocket:
    """One device: ``await ChatSocket.open(url, token)``, ``send``, ``expect``, ``close``."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict] = []
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str, in_query: bool = False) -> ChatSocket:
        """Connect with the access token in the Authorization header or, as browsers must,
        in the ``token`` query parameter."""
        if in_query:
            connection = await connect(f"{url}?token={token}", open_timeout=30)
        else:
            headers = {"Authorization": f"Bearer {token}"}
            connection = await connect(url, additional_headers=headers, open_timeout=30)
        return cls(connection)

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                async with self._arrived:
                    self.frames.append(json.loads(raw))
                    self._arrived.notify_all()
        except Exception:  # the connection went: expect() times out on what never came
            return

    async def send(self, action: str, **fields) -> None:
        await self.connection.send(json.dumps({"action": action, **fields}))

    async def expect(self, kind: str, timeout: float = 30, **match) -> dict:
        """The first frame of ``kind`` whose fields equal ``match`` (waiting up to
        ``timeout`` s); it is taken out of ``frames``. Raises TimeoutError."""

        def found():
            for frame in self.frames:
                if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                    return frame
            return None

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(found), timeout)
            frame = found()
            self.frames.remove(frame)
            return frame

    def of(self, kind: str) -> list[dict]:
        return [f for f in self.frames if f.get("type") == kind]

    async def close(self) -> None:
        await self.connection.close()
        self._reader.cancel()

    def drop(self) -> None:
        """The network goes: no close frame (API Gateway reports 1006)."""
        self.connection.transport.abort()
        self._reader.cancel()
