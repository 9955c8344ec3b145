"""Who is connecting: the hello, the credential in it, and the limit on failed joins.

A join code is looked up by its keyed hash and checked against the participant in the
exercise's state; a session token is checked by its signature and its credential
generation. `bad_credential` (4501) means the credential never was valid here; `revoked`
(4503) means it was, until control revoked or replaced it.

Failed joins are counted in Redis, so every instance sees them, per client address *and*
per first group of the typed join code (keyed-hashed, `Credentials.prefix_key`): a venue behind
one NAT shares an address, and others' typos of other codes never refuse a valid one, while
a script that guesses from one address is still held to `LIAISON_JOIN_FAILURES` a minute for
each first group. The address is the TCP peer's, or the one a trusted proxy forwarded
(`LIAISON_TRUSTED_PROXIES`, applied by uvicorn before the request reaches us).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from starlette.websockets import WebSocket

from server.adapters.credentials import Credentials, TokenClaims
from server.adapters.frames import receive
from server.adapters.hub import ExerciseGone, Hub
from server.adapters.services import Services
from server.adapters.store import StoreUnavailable
from server.adapters.wire_errors import Refused
from server.core.audience import Viewer
from server.protocol import messages
from server.protocol.codec import Subprotocol

JOIN_WINDOW = 60.0
"""Seconds over which failed joins are counted (LIAISON_JOIN_FAILURES)."""


@dataclass(frozen=True, slots=True)
class Identity:
    hub: Hub
    viewer: Viewer
    claims: TokenClaims
    credentials: Credentials
    preview_by: str | None = None
    """For a preview (`server.adapters.preview`): the staff member whose credential this is;
    `viewer` is then the participant whose station is previewed."""


async def read_hello(
    websocket: WebSocket, subprotocol: Subprotocol, within: float, limit: int | None = None
) -> messages.Hello:
    try:
        async with asyncio.timeout(within):
            frame = await receive(websocket, subprotocol, limit)
    except TimeoutError:
        raise Refused(4002, "hello_timeout", "no hello in time") from None
    if frame is None:
        raise Refused(1000, "", "")
    try:
        return messages.parse_hello(frame)
    except messages.ProtocolError as error:
        error_code = "unsupported" if error.close_code == 4502 else "protocol"
        raise Refused(error.close_code, error_code, error.message) from None


class Authentication:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._store = services.store
        self._hubs = services.hubs
        self._limit = services.settings.join_failures

    async def identify(self, hello: messages.Hello, address: str) -> Identity:
        """The participant `hello` proves to be, or `Refused` with the documented code."""
        try:
            credentials = await self._services.credentials()
            # Session tokens are signed: there is nothing to guess, and a room's expired ones
            # (after a day) must not block each other. Only typed codes are counted.
            prefix = None if hello.code is None else credentials.prefix_key(hello.code)
            if prefix is not None and await self._store.join_failures(address, prefix) >= self._limit:
                raise Refused(
                    4004,
                    "too_many_attempts",
                    "this join code was mistyped too often from your network; "
                    "check it and try again in a minute",
                )
        except StoreUnavailable as failure:
            raise Refused.by(failure) from None
        try:
            return await self._check(hello, credentials)
        except Refused as refusal:
            if refusal.error == "bad_credential" and prefix is not None:
                with contextlib.suppress(StoreUnavailable):
                    await self._store.count_join_failure(address, prefix, JOIN_WINDOW)
            raise

    async def _check(self, hello: messages.Hello, credentials: Credentials) -> Identity:
        try:
            if hello.code is not None:
                code_hash = credentials.hash_code(hello.code)
                found = None if code_hash is None else await self._store.lookup_code(code_hash)
                if found is None:
                    raise Refused(4501, "bad_credential", "unknown join code")
                hub = await self._hubs.get(found[0])
                member = hub.state.participants.get(found[1])
                if member is None:
                    raise Refused(4501, "bad_credential", "unknown join code")
                if member.code_hash != code_hash:
                    raise Refused(4503, "revoked", "this join code was replaced; ask control for the new one")
            else:
                assert hello.token is not None
                claims = credentials.verify(hello.token, time.time())
                if claims is None:
                    raise Refused(4501, "bad_credential", "invalid or expired session token")
                hub = await self._hubs.get(claims.exercise)
                member = hub.state.participants.get(claims.participant)
                if member is None:
                    raise Refused(4501, "bad_credential", "invalid or expired session token")
                if member.generation != claims.generation:
                    raise Refused(4503, "revoked", "this session's join code was replaced or revoked")
        except StoreUnavailable as failure:
            raise Refused.by(failure) from None
        except ExerciseGone:
            raise Refused(4501, "bad_credential", "this exercise no longer exists") from None
        if member.revoked:
            raise Refused(4503, "revoked", "this join code was revoked")
        viewer = Viewer(member.id, member.team, member.role, member.staff)
        return Identity(hub, viewer, TokenClaims(hub.exercise, member.id, member.generation), credentials)
