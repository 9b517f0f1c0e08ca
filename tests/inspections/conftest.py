import pytest

from inspections.grades import grade_policies_ensure


@pytest.fixture(autouse=True)
def _grade_policies(request):
    """The migration's policy rows, made again where a transactional test has flushed the tables: for tests
    marked ``django_db`` and for those reaching the database through a fixture (``cast`` asks for ``db``)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    elif "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    grade_policies_ensure()
