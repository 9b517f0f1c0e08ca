"""The public face: a home page that explains the three services and leads to each, the office's footer on
every public page, the site's own icon, and error pages in the site's look (never Django's debug pages)."""

import pytest
from django.contrib.staticfiles import finders
from django.template import loader
from django.test import Client, RequestFactory
from django.views import defaults

from programs.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFICE = {
    "SITE_OFFICE_NAME": "岱山县政务服务中心",
    "SITE_OFFICE_ADDRESS": "岱山县高亭镇长河路 1 号",
    "SITE_OFFICE_PHONE": "0580-4412345",
    "SITE_ICP_RECORD": "浙ICP备12345678号-1",
}


@pytest.fixture
def office(settings):
    for name, value in OFFICE.items():
        setattr(settings, name, value)
    return OFFICE


def test_the_home_page_explains_the_three_services_and_leads_to_each(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    for service in ("共富工坊", "涉企行政检查", "亮码检查", "预约式行政指导"):
        assert service in text
    for audience in ("面向想在家门口就业的村民", "面向接受检查的企业", "面向企业和准备开业的经营者"):
        assert audience in text
    for address in ('href="/workshops/"', 'href="/verify/"', 'href="/guidance/"', 'href="/accounts/login/"'):
        assert address in text
    assert "/api/docs/" not in text


def test_a_signed_in_resident_is_led_to_their_registrations_from_the_home_page(client):
    user = UserFactory(role=User.Role.RESIDENT, is_staff=False, region=None)
    client.force_login(user)
    text = client.get("/").text
    assert 'href="/workshops/mine/"' in text
    assert 'href="/accounts/login/"' not in text


@pytest.mark.parametrize("path", ["/", "/workshops/", "/guidance/", "/verify/", "/accounts/login/"])
def test_every_public_page_names_the_office_with_its_address_phone_and_icp_record(client, office, path):
    text = client.get(path).text
    assert '<footer class="site-footer">' in text
    for value in office.values():
        assert value in text
    assert 'href="https://beian.miit.gov.cn/"' in text
    assert 'href="tel:0580-4412345"' in text


def test_an_unset_icp_record_or_address_is_left_out_of_the_footer(client, settings):
    settings.SITE_ICP_RECORD = ""
    settings.SITE_OFFICE_ADDRESS = ""
    text = client.get("/").text
    assert "beian.miit.gov.cn" not in text
    assert "地址：" not in text
    assert settings.SITE_OFFICE_NAME in text


def test_pages_link_the_sites_own_icon_and_favicon_ico_leads_to_it(client):
    text = client.get("/").text
    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in text
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/portal/favicon.svg"
    icon = finders.find("portal/favicon.svg")
    assert icon is not None
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_a_missing_page_answers_404_in_the_sites_look_without_the_url_list(client, office, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.text
    assert "页面未找到" in text
    assert '<footer class="site-footer">' in text and office["SITE_OFFICE_PHONE"] in text
    assert 'href="/"' in text
    assert "URLconf" not in text and "urlpatterns" not in text and "admin/" not in text


def test_a_refused_page_answers_403_in_the_sites_look_with_the_reason(client, office):
    client.force_login(UserFactory(role=User.Role.RESIDENT, is_staff=False, region=None))
    response = client.get("/enterprise/")
    assert response.status_code == 403
    assert "无权访问" in response.text
    assert office["SITE_OFFICE_NAME"] in response.text


def test_the_500_page_renders_without_a_request_and_names_the_office(office):
    # Django renders it with an empty context: no request, no user, no context processor.
    html = loader.get_template("500.html").render()
    assert "系统出错了" in html
    assert office["SITE_OFFICE_NAME"] in html and office["SITE_ICP_RECORD"] in html
    assert "csrfmiddlewaretoken" not in html
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()


def test_a_server_error_shows_the_500_page_not_a_traceback(office, monkeypatch):
    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("workshops.views._resident_of", broken)  # a page that fails, whatever the reason
    response = Client(raise_request_exception=False).get("/workshops/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错了" in text and "Traceback" not in text and "boom" not in text
    assert office["SITE_OFFICE_PHONE"] in text
