"""The API's list filters (``programs.filters.StrictFilterSet``): a parameter that is not what the schema says is
refused by name, in the caller's language, and the filters' form class, made once per FilterSet class, carries
nothing from one request into the next."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from programs.api import EnterpriseFilter
from programs.filters import FilterBackend
from tests.factories import EnterpriseFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return sorted(row["name"] for row in response.json()["results"])


def test_a_bad_boolean_is_refused_by_name_in_each_callers_language(api_as, monkeypatch):
    monkeypatch.delattr(EnterpriseFilter, "_form_classes", raising=False)
    client = api_as(coordinator())
    for language in ("en", "zh-hans", "en"):
        response = client.get("/api/v1/enterprises/?is_key=maybe", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        with translation.override(language):
            assert response.json()["error"]["fields"] == {"is_key": [gettext("Give true or false.")]}
    assert gettext("Give true or false.") == "Give true or false."
    with translation.override("zh-hans"):
        assert gettext("Give true or false.") != "Give true or false."


def test_each_request_is_filtered_by_its_own_values(api_as, monkeypatch):
    monkeypatch.delattr(EnterpriseFilter, "_form_classes", raising=False)
    tree = region_tree()
    EnterpriseFactory(name="重点企业", is_key=True)
    EnterpriseFactory(name="一般企业", is_key=False)
    client = api_as(coordinator())
    assert _names(client.get("/api/v1/enterprises/?is_key=true")) == ["重点企业"]
    made = EnterpriseFilter.__dict__["_form_classes"]["zh-hans"]
    assert _names(client.get("/api/v1/enterprises/?is_key=false")) == ["一般企业"]
    assert _names(client.get("/api/v1/enterprises/")) == ["一般企业", "重点企业"]
    assert _names(client.get(f"/api/v1/enterprises/?region={tree['village'].pk}")) == ["一般企业", "重点企业"]
    refused = client.get("/api/v1/enterprises/?region=999999")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["region"]
    assert _names(client.get("/api/v1/enterprises/?is_key=true")) == ["重点企业"]
    assert EnterpriseFilter.__dict__["_form_classes"]["zh-hans"] is made


def test_filter_labels_are_in_the_language_of_the_request(rf, monkeypatch):
    monkeypatch.delattr(EnterpriseFilter, "_form_classes", raising=False)
    labels = {}
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            form = EnterpriseFilter({}, queryset=None).form
            labels.setdefault(language, set()).add(str(form.fields["is_key"].label))
    assert len(labels["en"]) == 1 and len(labels["zh-hans"]) == 1
    assert labels["en"] != labels["zh-hans"]


def test_a_views_filterset_fields_make_one_filterset_class_that_filters_each_request_by_its_values(api_as):
    tree = region_tree()
    client = api_as(coordinator())
    counties = client.get("/api/v1/regions/?level=county")
    villages = client.get("/api/v1/regions/?level=village")
    assert {row["name"] for row in counties.json()["results"]} == {tree["county"].name}
    assert {row["name"] for row in villages.json()["results"]} == {tree["village"].name}
    made = [cls for (view, _model), cls in FilterBackend._made.items() if view.__name__ == "RegionViewSet"]
    assert len(made) == 1
    refused = client.get("/api/v1/regions/?parent=abc")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["parent"]
