"""Credentials at the edge: join codes minted and hashed, session tokens signed and checked.

Join codes are stored only as keyed hashes (`server.core.joincodes`). A session token lets
a page reconnect without keeping the join code: it names the exercise, the participant and
the credential generation, expires, and is signed with the server-wide secret, so every
instance can check it. A revoked or re-issued code invalidates its tokens through the
generation, which the caller compares with the exercise state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from server.core import joincodes
from server.protocol.commands import NewCode

TOKEN_LIFETIME = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class TokenClaims:
    exercise: str
    participant: str
    generation: int


class Credentials:
    def __init__(self, secret: bytes) -> None:
        self._pepper = hashlib.sha256(b"liaison join codes\0" + secret).digest()
        self._signing = hashlib.sha256(b"liaison session tokens\0" + secret).digest()

    def hash_code(self, typed: str) -> str | None:
        """The stored hash of a typed code, or None if it cannot be a join code."""
        code = joincodes.normalize(typed)
        return None if code is None else joincodes.hash_code(code, self._pepper)

    def prefix_key(self, typed: str) -> str:
        """A short keyed hash of a typed code's first group: what failed joins are counted by,
        so a venue's typos of other codes never block a valid one (and no Redis key holds a
        part of a code). A typed text that cannot be a code has the prefix `malformed`."""
        code = joincodes.normalize(typed)
        if code is None:
            return "malformed"
        return hmac.new(self._pepper, b"prefix\0" + code[:4].encode(), hashlib.sha256).hexdigest()[:16]

    def mint(self) -> NewCode:
        code = joincodes.format_code(os.urandom(joincodes.CODE_BYTES))
        hashed = self.hash_code(code)
        assert hashed is not None
        return NewCode(code=code, hash=hashed)

    def token(self, claims: TokenClaims, now: float) -> str:
        body = json.dumps(
            [claims.exercise, claims.participant, claims.generation, int(now + TOKEN_LIFETIME)],
            separators=(",", ":"),
        ).encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def verify(self, token: str, now: float) -> TokenClaims | None:
        body_text, _, signature = token.partition(".")
        try:
            body = _unb64(body_text)
            valid = hmac.compare_digest(_unb64(signature), self._sign(body))
            exercise, participant, generation, expires = json.loads(body)
        except (ValueError, TypeError):
            return None
        if not valid or not isinstance(expires, int) or expires < now:
            return None
        if not (isinstance(exercise, str) and isinstance(participant, str) and isinstance(generation, int)):
            return None
        return TokenClaims(exercise, participant, generation)

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._signing, body, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
