import pytest
from django.db import transaction
from django.test import override_settings

from .cast import build_cast

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast has a user of every role; the default hasher would make building it the slowest part.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def _module_cast(django_db_setup, django_db_blocker):
    """The cast is built once per module inside a transaction that is rolled back at the end; each test runs
    in a savepoint inside it, so what one test changes the next one does not see."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_cast()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def cast(_module_cast, db):
    return _module_cast
