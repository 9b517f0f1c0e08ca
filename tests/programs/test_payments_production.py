"""Production refuses to start on the simulated gateway (it takes no money) unless explicitly allowed."""

from tests.programs.test_settings import STRONG_KEY, manage

PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "programs.example.cn"}


def test_production_refuses_the_simulated_gateway():
    result = manage("check", **PRODUCTION, PAYMENT_BACKEND="programs.payments.SimulatedGateway")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PAYMENT_BACKEND" in result.stderr


def test_production_starts_on_the_simulator_when_explicitly_allowed():
    result = manage("check", **PRODUCTION, PAYMENT_ALLOW_SIMULATOR="1")
    assert result.returncode == 0, result.stdout + result.stderr
