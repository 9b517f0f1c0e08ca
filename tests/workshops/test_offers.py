"""Job offers (岗位推送): a position that opens sends one offer to each matching resident, by SMS and in the
app, low-income and disabled residents first; never twice, however often the position is saved or reopened."""

from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.utils import timezone

from programs import demo as core_demo
from programs.models import AuditEntry, Notification, Region
from programs.services import TransitionError
from tests.cast import Cast
from tests.conftest import failures, released_together
from workshops import demo, services, tasks
from workshops.models import Course, CourseEnrolment, JobOffer, OfferRound, Position, Registration, Resident
from workshops.selectors import workshop_indicators

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory, resident_user, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    county = "330212"  # the cast's: its organiser and grid worker are staff here
    return {
        "home": village(county, town=1, number=1),
        "neighbour": village(county, town=1, number=2),
        "far": village(county, town=7, number=1),
    }


@pytest.fixture
def residents(places):
    home, neighbour = places["home"], places["neighbour"]
    return {
        "ordinary": ResidentFactory(name="普通", village=home, wished_categories=["primary_processing"]),
        "low_income": ResidentFactory(name="低收入", village=neighbour, is_low_income=True),
        "disabled": ResidentFactory(name="残疾", village=home, has_disability=True),
        "account_only": ResidentFactory(name="有账号", village=home, phone=""),
        "not_working": ResidentFactory(name="不想干", village=home, wants_work=False),
        "other_trade": ResidentFactory(name="手艺人", village=home, wished_categories=["handicraft"]),
        "far": ResidentFactory(name="远方", village=places["far"]),
        "unreachable": ResidentFactory(name="没电话", village=home, phone=""),
    }


def post(places, actor, **fields):
    workshop = WorkshopFactory(village=places["home"], name="岱津共富工坊")
    defaults = {"title": "贻贝分拣", "category": "primary_processing", "openings": 3, "pay_amount": Decimal("150")}
    return services.position_create(actor=actor, workshop=workshop, **{**defaults, **fields})


def offered(position):
    return list(JobOffer.objects.filter(position=position).order_by("-priority", "travel_minutes", "resident_id"))


def test_a_position_opening_sends_one_offer_to_each_matching_resident_low_income_first(
    cast, places, residents, django_capture_on_commit_callbacks, settings
):
    settings.WORKSHOPS_OFFER_HEAD_START_MINUTES = 60
    resident_user(residents["account_only"])
    with django_capture_on_commit_callbacks(execute=True):
        position = post(places, cast.organiser)
    offers = offered(position)
    names = [o.resident.name for o in offers]
    assert names[:2] == ["残疾", "低收入"] or names[:2] == ["低收入", "残疾"]
    assert set(names) == {"低收入", "残疾", "普通", "有账号"}
    assert [o.travel_minutes for o in offers if o.resident.name in ("普通", "残疾", "有账号")] == [0, 0, 0]
    first = {o.resident.name: o.offered_at for o in offers}
    assert first["低收入"] + timedelta(minutes=60) == first["普通"] == first["有账号"]

    sms = Notification.objects.filter(dedupe_key__startswith=f"workshops:offer:{position.pk}:", channel="sms")
    assert sorted(n.address for n in sms) == sorted(
        r.phone for r in (residents["ordinary"], residents["low_income"], residents["disabled"])
    )
    low_income_sms = sms.get(address=residents["low_income"].phone)
    assert "贻贝分拣" in low_income_sms.body and f"/workshops/positions/{position.pk}/" in low_income_sms.body
    assert residents["low_income"].id_number not in low_income_sms.body
    assert low_income_sms.due_at < sms.get(address=residents["ordinary"].phone).due_at
    in_app = Notification.objects.get(dedupe_key=f"workshops:offer:{position.pk}:{residents['account_only'].pk}")
    assert in_app.channel == "in_app" and in_app.recipient == residents["account_only"].user
    offer_round = OfferRound.objects.get(position=position)
    assert (offer_round.reason, offer_round.offers_made, offer_round.done_at is not None) == ("opened", 4, True)
    assert AuditEntry.objects.get(action="job_offers.send").data == {"position": position.pk, "offers": 4, "first": 2}


def test_saving_reopening_or_running_the_round_again_sends_nothing_more(
    cast, places, residents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        position = post(places, cast.organiser)
    before = (JobOffer.objects.count(), Notification.objects.count())
    for openings in (4, 5):
        with django_capture_on_commit_callbacks(execute=True):
            services.position_update(position=position, actor=cast.organiser, openings=openings)
    with django_capture_on_commit_callbacks(execute=True):
        services.position_close(position=position, actor=cast.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        services.position_reopen(position=position, actor=cast.organiser)
    for offer_round in OfferRound.objects.all():
        assert tasks.send_job_offers.delay(offer_round.pk).get() == 0
    assert (JobOffer.objects.count(), Notification.objects.count()) == before
    assert OfferRound.objects.filter(position=position).count() == 4


def test_a_resident_who_comes_to_fit_later_is_offered_when_the_position_is_saved_again(
    cast, places, residents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        position = post(places, cast.organiser)
    newcomer = ResidentFactory(name="新来的", village=places["neighbour"])
    with django_capture_on_commit_callbacks(execute=True):
        services.position_update(position=position, actor=cast.organiser, openings=6)
    assert JobOffer.objects.filter(position=position, resident=newcomer).count() == 1
    assert OfferRound.objects.filter(position=position).order_by("pk").last().offers_made == 1


def test_a_resident_registered_already_or_a_closed_position_gets_no_offer(cast, places, residents):
    position = PositionFactory(workshop=WorkshopFactory(village=places["home"]), status=Position.Status.CLOSED)
    RegistrationFactory(resident=residents["ordinary"], position=position)
    closed_round = OfferRound.objects.create(position=position, reason="opened")
    assert services.job_offers_send(offer_round_id=closed_round.pk) == 0
    Position.objects.filter(pk=position.pk).update(status=Position.Status.OPEN)
    again = OfferRound.objects.create(position=position, reason="reopened")
    services.job_offers_send(offer_round_id=again.pk)
    assert residents["ordinary"].pk not in set(JobOffer.objects.values_list("resident_id", flat=True))


def test_a_round_whose_task_was_lost_is_sent_again_by_the_sweep_once(places, residents):
    position = PositionFactory(workshop=WorkshopFactory(village=places["home"]))
    lost = OfferRound.objects.create(position=position, reason="opened")
    fresh = OfferRound.objects.create(position=position, reason="updated")
    OfferRound.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.requeue_stalled_offer_rounds.delay().get() == 1
    assert tasks.requeue_stalled_offer_rounds.delay().get() == 0
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.done_at is not None and lost.offers_made == 3  # "account_only" has no account here: unreachable
    assert fresh.done_at is None


def test_offers_leading_to_a_registration_count_registrations_made_after_the_offer(
    cast, places, residents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        position = post(places, cast.organiser)
    followed, ignored = residents["ordinary"], residents["disabled"]
    services.registration_submit(
        resident=followed, position=position, channel=Registration.Channel.GRID_WORKER, actor=cast.grid_worker
    )
    earlier = RegistrationFactory(resident=ignored, position=position, status=Registration.Status.WITHDRAWN)
    Registration.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=3))
    # An offer counts on the day it reaches its resident: those not offered first reach theirs an hour later,
    # which after 23:00 is tomorrow. The period ends on the day the last one arrives.
    today = timezone.localdate()
    last_arrives = timezone.localtime(max(JobOffer.objects.values_list("offered_at", flat=True))).date()
    figures = workshop_indicators(user=cast.organiser, start=today.replace(month=1, day=1), end=last_arrives)
    assert figures["offers"] == {"sent": 3, "leading_to_registration": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rounds_at_once_and_two_reopenings_at_once_make_each_offer_once(places, residents):
    cast = Cast()
    position = post(places, cast.organiser)  # eager: the round ran at the commit
    assert JobOffer.objects.count() == 3
    newcomers = [ResidentFactory(village=places["neighbour"]) for _ in range(6)]
    rounds = [OfferRound.objects.create(position=position, reason="updated") for _ in range(2)]
    results = released_together([partial(services.job_offers_send, offer_round_id=r.pk) for r in rounds])
    assert not failures(results)
    assert sorted(results) == [0, 6] or sum(results) == 6
    assert JobOffer.objects.filter(resident__in=newcomers).count() == 6
    assert Notification.objects.filter(dedupe_key__startswith=f"workshops:offer:{position.pk}:").count() == 9

    services.position_close(position=position, actor=cast.organiser)
    late = ResidentFactory(village=places["home"])
    results = released_together(
        [partial(services.position_reopen, position=position, actor=cast.organiser) for _ in range(2)]
    )
    assert not failures(results, expected=(TransitionError,))
    assert len(failures(results)) == 1  # one reopened it, the other found it open
    assert JobOffer.objects.filter(resident=late).count() == 1
    assert JobOffer.objects.count() == 10
    assert Notification.objects.filter(dedupe_key__startswith=f"workshops:offer:{position.pk}:").count() == 10


def test_the_demo_places_the_zhoushan_villages_offers_the_villager_a_position_and_runs_courses_once():
    core_demo.seed()
    demo.seed()
    counts = (JobOffer.objects.count(), Notification.objects.count(), CourseEnrolment.objects.count())
    demo.seed()
    assert (JobOffer.objects.count(), Notification.objects.count(), CourseEnrolment.objects.count()) == counts
    dongsha = Region.objects.get(code="330921001001")
    assert dongsha.latitude is not None and dongsha.longitude is not None
    villager = Resident.objects.get(user__username="villager")
    assert JobOffer.objects.filter(resident=villager, position__title="设备清洁保养").count() == 1
    live = Course.objects.get(title="电商直播技能培训")
    assert live.enrolled_count == 2
    assert CourseEnrolment.objects.filter(course=live, attendance="attended").count() == 1


def test_a_withdrawn_registration_here_and_an_active_one_elsewhere_do_not_keep_the_offer_away(places, residents):
    position = PositionFactory(workshop=WorkshopFactory(village=places["home"]))
    resident = residents["ordinary"]
    RegistrationFactory(resident=resident, position=position, status=Registration.Status.WITHDRAWN)
    RegistrationFactory(resident=resident, position=PositionFactory(workshop=position.workshop))
    services.job_offers_send(offer_round_id=OfferRound.objects.create(position=position, reason="opened").pk)
    assert JobOffer.objects.filter(position=position, resident=resident).exists()
