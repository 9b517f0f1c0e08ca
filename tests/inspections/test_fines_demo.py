"""The demo's fines (鄞州): seeded through the services once; waived cases (免加罚) with the amounts recorded, and
the demo enterprise's own fine open to pay."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from inspections.models import Fine
from programs.payment_models import PaymentOrder

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_fines_with_waived_cases_once():
    call_command("seed_demo", verbosity=0)
    counts = (Fine.objects.count(), PaymentOrder.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Fine.objects.count(), PaymentOrder.objects.count()) == counts
    waived = Fine.objects.filter(late_fee_waived__gt=0)
    assert waived.count() == 3
    assert sorted(f.late_fee_waived for f in waived) == [Decimal("240.00"), Decimal("900.00"), Decimal("975.00")]
    assert all(f.status == Fine.Status.PAID and f.waiver_policy_id for f in waived)
    assert Fine.objects.filter(status=Fine.Status.ENFORCEMENT).count() == 1
    assert Fine.objects.filter(instalments__paid_at__isnull=False).distinct().count() == 1
    own = Fine.objects.get(case__enterprise__users__username="enterprise")
    assert own.status == Fine.Status.UNPAID
