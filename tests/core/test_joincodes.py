"""Join codes: 80 random bits shown as Crockford base32, typed forgivingly, stored as a hash."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.joincodes import ALPHABET, CODE_BYTES, format_code, hash_code, normalize

CODE_SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
random_bytes = st.binary(min_size=CODE_BYTES, max_size=CODE_BYTES)


def test_alphabet_is_crockford_base32() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (bytes(10), "0000-0000-0000-0000"),
        (b"\xff" * 10, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"),
        (bytes(9) + b"\x01", "0000-0000-0000-0001"),
        (bytes(9) + b"\x20", "0000-0000-0000-0010"),
        (bytes(range(10)), "000G-40R4-0M30-E209"),
    ],
)
def test_format_code(raw: bytes, code: str) -> None:
    assert format_code(raw) == code


@pytest.mark.parametrize("size", [0, 9, 11, 32])
def test_format_code_needs_exactly_ten_bytes(size: int) -> None:
    with pytest.raises(ValueError, match="10 random bytes"):
        format_code(bytes(size))


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-2RXD-9TNA-4HWE",
        "k7qm2rxd9tna4hwe",
        " K7QM 2RXD 9TNA 4HWE ",
        "K7QM--2RXD-9TNA-4HWE",
    ],
)
def test_normalize_forgives_case_spaces_and_dashes(typed: str) -> None:
    assert normalize(typed) == "K7QM2RXD9TNA4HWE"


def test_normalize_reads_look_alikes_as_digits() -> None:
    assert normalize("OoIi-Ll00-1111-0000") == "0011110011110000"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "K7QM-2RXD-9TNA",  # too short
        "K7QM-2RXD-9TNA-4HWE-0",  # too long
        "K7QM-2RXD-9TNA-4HWU",  # U is not in the alphabet
        "K7QM-2RXD-9TNA-4HW!",
        "K7QM_2RXD_9TNA_4HWE",
    ],
)
def test_normalize_refuses_what_cannot_be_a_code(typed: str) -> None:
    assert normalize(typed) is None


def test_hash_code_is_hmac_sha256_with_the_pepper() -> None:
    # `printf K7QM2RXD9TNA4HWE | openssl dgst -sha256 -hmac pepper`
    assert hash_code("K7QM2RXD9TNA4HWE", b"pepper") == (
        "38c2c2fbfe65df9a896153380f04369e62bac632e4361ef5a4313a3bb7159ccd"
    )
    assert hash_code("K7QM2RXD9TNA4HWE", b"other pepper") != hash_code("K7QM2RXD9TNA4HWE", b"pepper")


@given(random_bytes)
def test_every_code_has_the_shape_and_normalizes_to_itself(raw: bytes) -> None:
    code = format_code(raw)
    assert CODE_SHAPE.match(code)
    assert normalize(code) == code.replace("-", "")
    assert normalize(code.lower().replace("-", " ")) == code.replace("-", "")


@given(random_bytes, random_bytes)
def test_different_bytes_make_different_codes(a: bytes, b: bytes) -> None:
    assert (format_code(a) == format_code(b)) == (a == b)
