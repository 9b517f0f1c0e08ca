"""Issue 13, point 3 (edits): staff never move an enterprise out of their own region nor plan for a department
outside it — refused on the field, through the API, the admin and the service alike."""

import pytest
from django.core.exceptions import ValidationError

from inspections import services as inspection_services
from programs import services
from programs.models import Enterprise
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, officer, region_tree
from tests.inspections.factories import MONTH, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    yinzhou = region_tree()  # 宁波 鄞州区 (3302…)
    xihu = region_tree("330106", "西湖区")  # 杭州 西湖区
    return {"ningbo": yinzhou["city"], "yinzhou": yinzhou, "xihu": xihu}


@pytest.fixture
def staff(regions):
    return {
        "ningbo coordinator": coordinator(region=regions["ningbo"]),
        "yinzhou officer": officer(DepartmentFactory(region=regions["yinzhou"]["county"])),
    }


@pytest.mark.parametrize("who", ["ningbo coordinator", "yinzhou officer"])
def test_staff_cannot_move_an_enterprise_to_a_region_outside_theirs_through_the_api(api_as, regions, staff, who):
    enterprise = EnterpriseFactory(region=regions["yinzhou"]["village"])
    response = api_as(staff[who]).patch(
        f"/api/v1/enterprises/{enterprise.pk}/", {"region": regions["xihu"]["village"].pk}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["region"]
    assert Enterprise.objects.get(pk=enterprise.pk).region == regions["yinzhou"]["village"]


def test_staff_may_still_move_an_enterprise_inside_their_region(api_as, regions, staff):
    enterprise = EnterpriseFactory(region=regions["yinzhou"]["village"])
    response = api_as(staff["ningbo coordinator"]).patch(
        f"/api/v1/enterprises/{enterprise.pk}/", {"region": regions["yinzhou"]["town"].pk}, format="json"
    )
    assert response.status_code == 200, response.content


def test_an_enterprise_is_not_created_outside_the_staff_members_region(api_as, regions, staff):
    xihu = regions["xihu"]["village"].pk
    body = {"name": "西湖测试企业", "region": xihu, "address": "西湖路1号", "industry": "餐饮服务"}
    response = api_as(staff["ningbo coordinator"]).post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400, response.content
    assert "region" in response.json()["error"]["fields"]
    assert not Enterprise.objects.filter(name="西湖测试企业").exists()


@pytest.mark.parametrize("who", ["ningbo coordinator", "yinzhou officer"])
def test_the_admin_refuses_an_out_of_scope_region_on_the_field(client, regions, staff, who):
    enterprise = EnterpriseFactory(region=regions["yinzhou"]["village"])
    client.force_login(staff[who])
    page = client.get(f"/admin/programs/enterprise/{enterprise.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"region": regions["xihu"]["village"].pk, "auditentry_set-TOTAL_FORMS": 0})
    for key, value in page.context["inline_admin_formsets"][0].formset.management_form.initial.items():
        data[f"{page.context['inline_admin_formsets'][0].formset.prefix}-{key}"] = value
    response = client.post(f"/admin/programs/enterprise/{enterprise.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "region" in response.context["adminform"].form.errors
    assert Enterprise.objects.get(pk=enterprise.pk).region == regions["yinzhou"]["village"]


def test_the_service_refuses_an_out_of_scope_region_by_name(regions, staff):
    enterprise = EnterpriseFactory(region=regions["yinzhou"]["village"])
    with pytest.raises(ValidationError) as caught:
        services.enterprise_update(
            enterprise=enterprise, actor=staff["yinzhou officer"], region=regions["xihu"]["village"]
        )
    assert caught.value.error_dict["region"][0].code == "region_out_of_scope"


def test_a_coordinator_cannot_plan_for_a_department_outside_their_region(api_as, regions, staff):
    hangzhou_department = DepartmentFactory(region=regions["xihu"]["county"])
    enterprise = EnterpriseFactory(region=regions["yinzhou"]["village"])
    body = {
        "department": hangzhou_department.pk,
        "enterprise": enterprise.pk,
        "items": [ItemFactory(department=hangzhou_department).pk],
        "month": MONTH.isoformat(),
        "mode": "on_site",
    }
    response = api_as(staff["ningbo coordinator"]).post("/api/v1/plan-entries/", body, format="json")
    assert response.status_code == 400, response.content
    assert "department" in response.json()["error"]["fields"]
    with pytest.raises(ValidationError) as caught:
        inspection_services.plan_entry_create(
            department=hangzhou_department,
            enterprise=enterprise,
            items=[ItemFactory(department=hangzhou_department)],
            month=MONTH,
            actor=staff["ningbo coordinator"],
        )
    assert "department" in caught.value.error_dict


# --- Residents and workshops: placed only inside the organiser's or grid worker's area ---------------------


def test_residents_and_workshops_are_not_placed_outside_the_staff_members_area_through_the_api(api_as):
    from tests.workshops.factories import ResidentFactory, WorkshopFactory, id_number, organiser, village
    from workshops.models import Resident, Workshop

    home, elsewhere = village("330921", name="东海村"), village("330902", name="外县村")
    client = api_as(organiser(region=home.parent))
    body = {"name": "王秀英", "id_number": id_number(), "phone": "13700000021", "village": elsewhere.pk}
    created = client.post("/api/v1/workshop-residents/", body)
    assert created.status_code == 400 and list(created.json()["error"]["fields"]) == ["village"]
    assert not Resident.objects.filter(name="王秀英").exists()
    assert client.post("/api/v1/workshop-residents/", {**body, "village": home.pk}).status_code == 201

    resident = ResidentFactory(village=home)
    moved = client.patch(f"/api/v1/workshop-residents/{resident.pk}/", {"village": elsewhere.pk})
    assert moved.status_code == 400 and list(moved.json()["error"]["fields"]) == ["village"]
    resident.refresh_from_db()
    assert resident.village == home

    workshop = WorkshopFactory(village=home)
    moved = client.patch(f"/api/v1/workshops/{workshop.pk}/", {"village": elsewhere.pk})
    assert moved.status_code == 400 and list(moved.json()["error"]["fields"]) == ["village"]
    assert Workshop.objects.get(pk=workshop.pk).village == home


def test_the_workshop_services_refuse_a_village_outside_the_actors_area_by_name():
    """The rule lives in the services, so every caller (API, admin, a future import) keeps it."""
    from tests.workshops.factories import WorkshopFactory, id_number, organiser, village
    from workshops import services as workshop_services

    home, elsewhere = village("330921", name="东海村"), village("330902", name="外县村")
    user = organiser(region=home.parent)
    with pytest.raises(ValidationError) as refused:
        workshop_services.resident_create(actor=user, name="王秀英", id_number=id_number(), village=elsewhere)
    assert list(refused.value.message_dict) == ["village"]
    workshop = WorkshopFactory(village=home)
    with pytest.raises(ValidationError) as refused:
        workshop_services.workshop_update(workshop=workshop, actor=user, village=elsewhere)
    assert list(refused.value.message_dict) == ["village"]
