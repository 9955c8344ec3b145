"""Join codes: human-typeable credentials with 80 bits of entropy, stored only as a hash.

A code is 16 characters of Crockford's base32 (no I, L, O or U) in four groups:
`K7QM-2RXD-9TNA-4HWE`. Typing is forgiving: case, spaces and dashes are ignored, and the
look-alikes O, I and L read as 0, 1 and 1. The randomness comes from the caller.
"""

from __future__ import annotations

import hashlib
import hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BYTES = 10
"""80 bits; 16 base32 characters."""

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def format_code(random_bytes: bytes) -> str:
    if len(random_bytes) != CODE_BYTES:
        raise ValueError(f"a join code needs {CODE_BYTES} random bytes")
    number = int.from_bytes(random_bytes, "big")
    chars = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(16))]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, 16, 4))


def normalize(text: str) -> str | None:
    """The canonical 16-character form of a typed code, or None if it cannot be one."""
    squeezed = "".join(ch for ch in text.upper() if ch not in " -").translate(_LOOK_ALIKES)
    if len(squeezed) != 16 or any(ch not in ALPHABET for ch in squeezed):
        return None
    return squeezed


def hash_code(code: str, pepper: bytes) -> str:
    """The stored form of a (normalized) code: HMAC-SHA256 with a server-wide pepper."""
    return hmac.new(pepper, code.encode(), hashlib.sha256).hexdigest()
