"""When the shared cache (Redis) is down, throttled API calls and rate-limited pages still answer."""

import pytest
from django.core.cache import cache

from tests.factories import coordinator

pytestmark = pytest.mark.django_db
DEAD_CACHE = {
    "default": {
        "BACKEND": "programs.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_the_api_answers_when_the_cache_is_down(api_as, settings):
    client = api_as(coordinator())
    settings.CACHES = DEAD_CACHE
    assert cache.get("anything", "fallback") == "fallback"
    response = client.get("/api/v1/enterprises/")
    assert response.status_code == 200


def test_a_rate_limited_public_page_answers_when_the_cache_is_down(client, settings):
    settings.CACHES = DEAD_CACHE
    assert client.get("/verify/ABCDEFGHJKLM/").status_code in (200, 404)
