"""Credentials: the keyed prefix failed joins are counted by."""

from __future__ import annotations

from server.adapters.credentials import Credentials


def test_the_prefix_key_is_that_of_the_first_group_and_keyed_by_the_secret() -> None:
    credentials = Credentials(b"secret")
    code = credentials.mint().code
    first = code[:4]
    typo = first + "-ZZZZ-ZZZZ-ZZZZ"
    assert credentials.prefix_key(code) == credentials.prefix_key(typo)  # a typo after the first group
    assert credentials.prefix_key(code.lower().replace("-", " ")) == credentials.prefix_key(code)
    other = ("1" if first[0] != "1" else "2") + first[1:] + "-ZZZZ-ZZZZ-ZZZZ"
    assert credentials.prefix_key(other) != credentials.prefix_key(code)
    assert Credentials(b"another").prefix_key(code) != credentials.prefix_key(code)
    assert credentials.prefix_key("not a code") == "malformed"
