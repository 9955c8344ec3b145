"""What a request's form, answer or refusal says: the tests conditions and SimCell rules share.

A trigger may wait for "an MLA to NOR asking for a search" or "a refusal on the ground
incomplete"; a SimCell rule may answer differently when a field holds some value. Both test a
`RequestRun` against `FieldTest`s (`server.core.scenario`) here.
"""

from __future__ import annotations

from collections.abc import Mapping

from server.core.matching import names_receiver
from server.core.requests import RequestRun, field_holds
from server.core.scenario import RequestTest, Trigger


def request_passes(test: RequestTest, request: RequestRun) -> bool:
    """Whether `request` as it is now passes every part of `test`."""
    if test.urgent is not None and request.urgent != test.urgent:
        return False
    if not all(field_holds(part, request.field(part.field)) for part in test.fields):
        return False
    if test.ground is not None and request.ground != test.ground:
        return False
    if test.answer_contains is not None:
        said = f"{request.answer} {request.history[-1].note if request.history else ''}".lower()
        if test.answer_contains.lower() not in said:
            return False
    return True


def request_matches(leaf: Trigger, request: RequestRun, countries: Mapping[str, str]) -> bool:
    """Whether `request` is one a request trigger with a test looks at (its instrument, the
    receiving side as `server.core.matching` reads it, and its test; the requesting team is
    indexed apart, for `scope: team`)."""
    return (
        leaf.instrument in (None, request.instrument)
        and names_receiver(leaf.target, request.target_team, request.target_agency, countries)
        and (leaf.test is None or request_passes(leaf.test, request))
    )
