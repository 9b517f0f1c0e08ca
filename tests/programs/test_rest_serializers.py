"""Issue 16, point 2: a model serializer's fields are built from the model once per class
(``programs.rest.ModelSerializer``), and each instance works on its own copy. What must not follow from that:
one request's fields leaking into another's, a subclass sharing its parent's fields, or the words of the
language the fields were first built in."""

import pytest
from django.urls import get_resolver
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from rest_framework import serializers

from programs import rest
from programs.api import EnterpriseSerializer, RegionSerializer
from programs.models import Region
from tests.factories import coordinator, region_tree

PROJECT_APPS = ("programs.", "inspections.", "workshops.", "guidance.", "portal.")


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_model_serializer_of_the_project_builds_its_fields_once():
    get_resolver().url_patterns  # imports every API module
    ours = [cls for cls in _subclasses(serializers.ModelSerializer) if cls.__module__.startswith(PROJECT_APPS)]
    assert len(ours) > 40
    plain = [f"{cls.__module__}.{cls.__qualname__}" for cls in ours if not issubclass(cls, rest.ModelSerializer)]
    assert plain == []


@pytest.mark.django_db
def test_each_instance_gets_fields_of_its_own():
    first, second = RegionSerializer(), RegionSerializer()
    assert first.fields["parent"] is not second.fields["parent"]
    assert first.fields["parent"].parent is first and second.fields["parent"].parent is second
    first.fields["parent"].queryset = Region.objects.none()  # what a request-scoped serializer does to its copy
    region_tree()
    assert second.fields["parent"].queryset.exists()
    assert RegionSerializer().fields["parent"].queryset.exists()


def test_a_subclass_builds_fields_of_its_own():
    class Outer(RegionSerializer):
        depth_note = serializers.CharField(default="", read_only=True)

        class Meta(RegionSerializer.Meta):
            fields = [*RegionSerializer.Meta.fields, "depth_note"]

    assert "depth_note" in Outer().fields
    assert "depth_note" not in RegionSerializer().fields
    assert "depth_note" in Outer().fields


def test_labels_and_messages_are_in_the_language_of_each_request(monkeypatch):
    monkeypatch.delattr(EnterpriseSerializer, "_fields_built", raising=False)  # first built by an English request
    with translation.override("en"):
        assert str(EnterpriseSerializer().fields["name"].label) == "Name"
        assert str(EnterpriseSerializer().fields["name"].error_messages["required"]) == "This field is required."
    with translation.override("zh-hans"):
        fields = EnterpriseSerializer().fields
        assert str(fields["name"].label) == capfirst(gettext("name")) != "Name"
        assert str(fields["name"].error_messages["required"]) == gettext("This field is required.")
        assert gettext("This field is required.") != "This field is required."


@pytest.mark.django_db
def test_an_error_names_the_field_in_the_callers_language_whichever_language_came_first(api_as, monkeypatch):
    monkeypatch.delattr(EnterpriseSerializer, "_fields_built", raising=False)
    region = region_tree()["village"].pk
    client = api_as(coordinator())
    english = client.post("/api/v1/enterprises/", {"region": region}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.post("/api/v1/enterprises/", {"region": region}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert english.json()["error"]["fields"]["name"] == ["This field is required."]
    with translation.override("zh-hans"):
        assert chinese.json()["error"]["fields"]["name"] == [gettext("This field is required.")]


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["zh-hans", "en"])
def test_a_registered_code_is_refused_in_each_callers_language_whichever_came_first(api_as, monkeypatch, first):
    """The "already exists" message of a unique field is a plain string written in the language of the build."""
    monkeypatch.delattr(EnterpriseSerializer, "_fields_built", raising=False)
    village = region_tree()["village"].pk
    client = api_as(coordinator())
    body = {"name": "宁波甬兴餐饮有限公司", "credit_code": "91350100M000100Y43", "region": village}
    assert client.post("/api/v1/enterprises/", body, format="json").status_code == 201
    second = {**body, "name": "另一家餐饮有限公司"}
    answers = {}
    for language in (first, *({"zh-hans", "en"} - {first})):
        answers[language] = client.post("/api/v1/enterprises/", second, format="json", HTTP_ACCEPT_LANGUAGE=language)
    for language, answer in answers.items():
        assert answer.status_code == 400
        (message,) = answer.json()["error"]["fields"]["credit_code"]
        assert ("already exists" in message) == (language == "en")
        assert ("已" in message) == (language == "zh-hans")
