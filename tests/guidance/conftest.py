import pytest


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    """Every test client posts from 127.0.0.1: only the rate-limit test itself (from its own address, in its
    own cache) should ever meet the limit."""
    settings.PUBLIC_FORM_RATE = "10000/m"
