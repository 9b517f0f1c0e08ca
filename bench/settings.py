"""Settings of the benchmark suite: the product's settings, pointed at the bench database and Redis numbers,
with DEBUG off, throttles out of the way and the bare comparison views mounted (``bench/urls.py``)."""

import os

import environ

from programs.settings import *  # noqa: F403
from programs.settings import REST_FRAMEWORK

_env = environ.Env()

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/programs_bench")
DATABASES = {"default": _env.db_url_config(BENCH_DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = None  # a gunicorn worker keeps its connection, as in production with 60 s
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# PostgreSQL's JIT compiles the big sweep statements (estimated costs in the millions) for longer than they then
# run, for the product and the hand-written SQL alike; an OLTP deployment turns it off, and so does the bench.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

CELERY_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11"),
    }
}

# The throttle still runs on every API request (a cache read and write, as in production); its rate is only
# raised so that the load generator, one user at hundreds of requests a second, is not answered 429. Per second:
# DRF keeps every request time of the period in the cache entry, and a minute of bench load would make that
# list (and its cost) far longer than a real user's.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000/second", "user": "1000000/second", "login": "100000/minute"},
}
RATELIMIT_ENABLE = False
# Passwords of the bench accounts are set in bulk; the cheapest hasher keeps the set-up in seconds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "programs.delivery.LoggingSmsBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # 409 "slot full" answers are expected by the hundred in the contention run; errors are still shown.
    "loggers": {"django.request": {"level": "ERROR"}},
}
