"""The DomainError tree: stable codes the protocol returns, and the message kept as given."""

from __future__ import annotations

import pytest

from server.core.errors import (
    ERROR_CODES,
    DomainError,
    Forbidden,
    InvalidArguments,
    InvalidState,
    NotFound,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (Forbidden, "forbidden"),
        (InvalidState, "invalid_state"),
        (NotFound, "not_found"),
        (InvalidArguments, "invalid_args"),
    ],
)
def test_each_error_is_a_domain_error_with_a_stable_code(error: type[DomainError], code: str) -> None:
    raised = error("not now")
    assert isinstance(raised, DomainError)
    assert raised.code == code
    assert raised.message == "not now"
    assert str(raised) == "not now"


def test_error_codes_lists_every_code_once() -> None:
    assert ERROR_CODES == ("forbidden", "invalid_state", "not_found", "invalid_args")
    assert DomainError.code not in ERROR_CODES
