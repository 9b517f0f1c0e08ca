"""Bad input: schemathesis over the whole OpenAPI schema, as a signed-in user of each role.

Every operation gets generated requests, valid and invalid, with a fixed seed and a bounded number of examples;
a detail route gets both the id of the cast's object of that kind (so the handler runs on real data) and
generated ids. Operations a role may not call are tried with fewer requests. The answer must never be a
server error, and must be what the schema documents: status code, content type and body."""

import re
from contextlib import contextmanager

import pytest
import schemathesis
from axes.utils import reset as axes_reset
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from programs.wsgi import application

from .objects import OBJECT_OF, ROLES
from .test_authorization import api_expected
from .urlconf import api_routes

pytestmark = pytest.mark.django_db

EXAMPLES_ALLOWED = 2  # per strategy (valid / invalid data, the cast's id / a generated one), per operation
EXAMPLES_DENIED = 1
# Operations checked for server errors only, or not fuzzed as a role, while a reported bug awaits its fix
# (each entry names the bug); empty when nothing is pending.
SCHEMA_AWAITING_FIX: set[str] = set()
AWAITING_FIX: set[tuple[str, str]] = set()
TOKEN_KEYS: dict[int, str] = {}
NO_SERVER_ERROR = [not_a_server_error]
# A request the schema forbids (generated in GenerationMode.NEGATIVE) must be refused with a 4xx: what the schema
# says a client may send is what the server accepts.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _route_for(path: str, method: str):
    """The URL-configuration route behind a schema path such as ``/api/v1/findings/{id}/decide/``."""
    concrete = re.sub(r"\{[^}]+\}", "1", path)
    for route in api_routes():
        if method in route.methods() and route.path(pk=1, format="json") == concrete:
            return route
    raise AssertionError(f"{method.upper()} {path}: in the schema but not in the URL configuration")


def _object_id(path: str, cast) -> int | None:
    match = re.match(r"^/api/v1/(.+?)/\{id\}/", path)
    if not match:
        return None
    collection = match.group(1)
    assert collection in OBJECT_OF, f"{path}: add the collection to OBJECT_OF (which cast object to use)"
    name = OBJECT_OF[collection]
    return getattr(cast.objects[name], "pk", None) if name else None


def _fuzz(operation, user, *, real_id, examples: int, checks, allowed: bool = True) -> str | None:
    """Run the operation's generated cases; the first failure, described, or None. An operation the role may not
    call is refused before its input is read: one request shows it."""
    modes = list(GenerationMode) if allowed else [GenerationMode.POSITIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if real_id is not None:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters={"id": real_id}) for mode in GenerationMode
        ]

    @settings(
        max_examples=examples * len(strategies),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        # Each request as from a fresh client: throttles and sign-in lock-outs are tested on their own.
        cache.clear()
        axes_reset()
        # DELETE /auth/token/ revokes the token: the next example signs in again with the same key.
        Token.objects.get_or_create(user=user, defaults={"key": TOKEN_KEYS[user.pk]})
        headers = {"Authorization": f"Token {TOKEN_KEYS[user.pk]}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation.label}: {_described(exc)[:3000]}"
    return None


def _described(exc: BaseException) -> str:
    """The failure and, for a group (schemathesis' failures, Hypothesis' flaky verdict), each failure in it."""
    text = f"{type(exc).__name__}: {exc}"
    for inner in getattr(exc, "exceptions", ()):
        text += "\n  - " + _described(inner).replace("\n", "\n    ")
    return text


def fuzz_as(user, cast, checks, only=None, leave_out=frozenset(), relaxed=frozenset()) -> list[str]:
    """Every operation of the schema (or those labelled in ``only``) but those in ``leave_out``, as ``user``: the
    failures, one block per operation. The operations in ``relaxed`` are checked for server errors only."""
    TOKEN_KEYS[user.pk] = Token.objects.get_or_create(user=user)[0].key
    with _connection_kept_open():
        return _fuzz_all(user, cast, checks, only, leave_out, relaxed)


@contextmanager
def _connection_kept_open():
    """The WSGI handler closes the database connection after each request, as Django's test client keeps it
    from doing: the connection holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _fuzz_all(user, cast, checks, only, leave_out, relaxed) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        if operation.label in leave_out or (only is not None and operation.label not in only):
            continue
        method = operation.method.lower()
        allowed = api_expected(_route_for(operation.path, method), method, user)
        failure = _fuzz(
            operation,
            user,
            real_id=_object_id(operation.path, cast) if allowed else None,
            examples=EXAMPLES_ALLOWED if allowed else EXAMPLES_DENIED,
            checks=NO_SERVER_ERROR if operation.label in relaxed else checks,
            allowed=allowed,
        )
        if failure:
            failures.append(failure)
    assert operations > 50, "the schema lists the API's operations"
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_gets_a_server_error_or_an_answer_outside_the_schema(role, cast):
    leave_out = {label for label, who in AWAITING_FIX if who == role}
    failures = fuzz_as(cast.users[role], cast, CONFORMANCE, leave_out=leave_out, relaxed=SCHEMA_AWAITING_FIX)
    assert not failures, f"{len(failures)} operations fail as {role}:\n\n" + "\n\n".join(failures)
