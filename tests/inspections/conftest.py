import pytest

from inspections.grades import grade_policies_ensure


@pytest.fixture(autouse=True)
def _grade_policies(request):
    """The migration's policy rows, made again where a transactional test has flushed the tables."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    grade_policies_ensure()
