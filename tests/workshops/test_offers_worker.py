"""The job offers through a real broker to two real Celery workers (no beat: the fallback sweep is off): a
position posted, its round sent twice more and the position reopened; each resident is offered it once."""

from decimal import Decimal

import pytest

from programs.models import Notification
from programs.queue import publish
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from workshops import services
from workshops.models import JobOffer, OfferRound

from .factories import ResidentFactory, WorkshopFactory, village


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_offer_once_whatever_is_sent_twice(tmp_path):
    cast = Cast()
    home, neighbour = village("330212", town=1, number=1), village("330212", town=1, number=2)
    low_income = ResidentFactory(village=neighbour, is_low_income=True)
    others = [ResidentFactory(village=home) for _ in range(5)]
    workers = [CeleryWorker(queue="celery", log_path=tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        position = services.position_create(
            actor=cast.organiser,
            workshop=WorkshopFactory(village=home),
            title="虾仁剥壳",
            category="primary_processing",
            openings=4,
            pay_amount=Decimal("160"),
        )  # the round's task is published when this commits
        first = OfferRound.objects.get(position=position)
        publish("workshops.send_job_offers", first.pk)  # a duplicate delivery
        publish("workshops.send_job_offers", first.pk)
        services.position_close(position=position, actor=cast.organiser)
        services.position_reopen(position=position, actor=cast.organiser)
        wait_until(
            lambda: (
                not OfferRound.objects.filter(position=position, done_at__isnull=True).exists()
                and OfferRound.objects.filter(position=position).count() == 2
            ),
            timeout=90,
            message="both rounds done",
        )
    finally:
        for worker in workers:
            worker.stop()
    assert JobOffer.objects.filter(position=position).count() == 6
    assert sorted(OfferRound.objects.filter(position=position).values_list("offers_made", flat=True)) == [0, 6]
    sms = Notification.objects.filter(dedupe_key__startswith=f"workshops:offer:{position.pk}:", channel="sms")
    assert sorted(sms.values_list("address", flat=True)) == sorted(r.phone for r in [low_income, *others])
    assert sms.get(address=low_income.phone).due_at < sms.get(address=others[0].phone).due_at
