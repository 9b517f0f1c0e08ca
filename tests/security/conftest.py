import pytest
from django.db import transaction

from tests.cast import Cast

from .objects import one_of_each


@pytest.fixture(scope="module")
def _module_cast(django_db_setup, django_db_blocker):
    """The cast, with one object of each kind, is built once per module inside a transaction that is rolled
    back at the end; each test runs in a savepoint inside it, so what one test changes the next one does not
    see."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cast = Cast()
            cast.objects.update(one_of_each(cast))
            yield cast
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def cast(_module_cast, db):
    return _module_cast
