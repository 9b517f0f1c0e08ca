import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Officers and coordinators are made in every test here; their passwords need not be strong."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
