import pytest


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    """The embedded cache is a shared folder and every test client posts from 127.0.0.1: only the rate-limit
    test itself (from its own address) should ever meet the limit."""
    settings.PUBLIC_FORM_RATE = "10000/m"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The concurrency tests make fifty users; real password hashing would be most of their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
