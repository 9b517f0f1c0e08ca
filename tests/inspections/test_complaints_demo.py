"""The demo's complaints (北仑区) and the 118 工业社区's catalogue: seeded through the services, once."""

import pytest
from django.core.management import call_command

from inspections.models import Complaint, ComplaintRoute, Inspection, ServiceOffering, ServiceOrder
from programs.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_complaints_and_service_orders_once():
    call_command("seed_demo", verbosity=0)
    counts = (
        ComplaintRoute.objects.count(),
        Complaint.objects.count(),
        ServiceOffering.objects.count(),
        ServiceOrder.objects.count(),
        AuditEntry.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert counts[:4] == (
        ComplaintRoute.objects.count(),
        Complaint.objects.count(),
        ServiceOffering.objects.count(),
        ServiceOrder.objects.count(),
    )
    beilun = Complaint.objects.filter(region__code__startswith="330206")
    assert beilun.count() == 4
    assert beilun.filter(outcome="inspection", inspection__origin="complaint").count() == 1
    assert beilun.filter(outcome="guidance").count() == 1
    assert beilun.filter(status="replied").count() == 3
    assert Inspection.objects.filter(origin="complaint").count() == 1
    catalogue = ServiceOffering.objects.filter(community__name="118工业社区")
    assert catalogue.count() == 5
    assert ServiceOrder.objects.filter(status="delivered", offering__in=catalogue).exists()
    assert all(o.booked <= o.capacity for o in catalogue)
