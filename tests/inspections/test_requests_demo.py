"""The demo's requests and joint assistance in the 118 工业社区: seeded through the services, idempotent."""

import pytest

from inspections import request_demo
from inspections.models import AssistanceCase, EnterpriseRequest
from programs import demo as core_demo
from programs.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_requests_and_seven_solved_problems_once():
    core_demo.seed()
    first = request_demo.seed()
    audit_rows = AuditEntry.objects.count()
    assert request_demo.seed() == first  # a second run changes nothing
    assert AuditEntry.objects.count() == audit_rows
    assert first["assistance_solved"] == 7
    assert first["requests"] == len(request_demo.REQUESTS) == EnterpriseRequest.objects.count()
    assert AssistanceCase.objects.filter(status="open").count() == 1
    statuses = set(EnterpriseRequest.objects.values_list("status", flat=True))
    assert statuses == {"rated", "submitted"}
    assert EnterpriseRequest.objects.filter(answered_on_time=False, escalated_at__isnull=False).exists()
    assert EnterpriseRequest.objects.filter(channel="grid").count() == len(request_demo.REQUESTS)
