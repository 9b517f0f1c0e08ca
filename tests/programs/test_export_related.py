"""A foreign key column of an export: the related rows' names, looked up once per chunk. A model that declares
its ``LABEL_FIELD`` (the region) is read with ``values_list``, no object per name; any other is named by its
``str()``. Issue 16, point 4: 9,000 village names loaded as Region objects made the export of 10,000
enterprises cost more than its rows."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection
from django.db.models.signals import post_init
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from programs import exports
from programs.models import Enterprise, Region
from tests.factories import EnterpriseFactory, MicroGridFactory, coordinator, region_tree

pytestmark = pytest.mark.django_db


def _villages(count):
    town = region_tree("330212")["town"]
    return [
        Region.objects.create(code=f"330212001{n:03d}", name=f"村{n}", level="village", parent=town)
        for n in range(101, 101 + count)
    ]


def _export(user):
    model_admin = admin.site._registry[Enterprise]
    request = RequestFactory().get("/admin/programs/enterprise/")
    request.user = user
    queryset = model_admin.get_queryset(request).order_by("pk")
    _header, *rows = list(exports.export_rows(model_admin, request, queryset))
    return exports.export_columns(model_admin, request).index("region"), rows


def test_every_label_field_is_what_the_model_s_str_shows():
    declared = [model for model in apps.get_models() if getattr(model, "LABEL_FIELD", None)]
    assert Region in declared
    for model in declared:
        field = exports.label_field(model)
        assert str(model(**{field.attname: "某某村"})) == "某某村", model


@pytest.mark.parametrize(("name", "error"), [("parent", ImproperlyConfigured), ("nom", FieldDoesNotExist)])
def test_a_label_field_that_is_no_column_of_the_model_is_refused(monkeypatch, name, error):
    monkeypatch.setattr(Region, "LABEL_FIELD", name)
    with pytest.raises(error):
        exports._Related(Enterprise._meta.get_field("region"))


def test_the_region_column_reads_names_without_loading_a_region(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)  # several chunks, each looking up the names it has not seen
    villages = _villages(5)
    for village in villages:
        EnterpriseFactory(region=village)
    user = coordinator()
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Region)
    try:
        column, rows = _export(user)
    finally:
        post_init.disconnect(count, sender=Region)
    assert [row[column] for row in rows] == [v.name for v in villages]
    assert loaded == []


def test_names_are_looked_up_in_one_query_with_one_array_parameter():
    villages = _villages(3)
    related = exports._Related(Enterprise._meta.get_field("region"))
    with CaptureQueriesContext(connection) as queries:
        related.resolve({v.pk for v in villages} | {None})
        related.resolve({villages[0].pk})  # known: no query
    [query] = queries.captured_queries
    assert "= ANY(" in query["sql"] and "latitude" not in query["sql"]  # the key and the name, nothing else
    assert {v.pk: related(v.pk) for v in villages} == {v.pk: v.name for v in villages}
    assert related(None) == ""


def test_names_past_kept_are_forgotten_and_looked_up_again(monkeypatch):
    monkeypatch.setattr(exports._Related, "KEPT", 2)
    villages = _villages(3)
    related = exports._Related(Enterprise._meta.get_field("region"))
    related.resolve({villages[0].pk, villages[1].pk})
    related.resolve({villages[2].pk})
    assert set(related.names) == {villages[2].pk}
    related.resolve({villages[0].pk})
    assert (related(villages[0].pk), related(villages[2].pk)) == (villages[0].name, villages[2].name)


def test_a_region_named_as_a_formula_is_quoted():
    [village] = _villages(1)
    Region.objects.filter(pk=village.pk).update(name="=1+2")
    EnterpriseFactory(region=village)
    column, [row] = _export(coordinator())
    assert row[column] == "'=1+2"


def test_a_model_without_a_label_field_is_named_by_its_str():
    micro_grid = MicroGridFactory()
    assert exports.label_field(type(micro_grid)) is None
    enterprise = EnterpriseFactory(micro_grid=micro_grid, region=region_tree("330212")["village"])
    model_admin = admin.site._registry[Enterprise]
    request = RequestFactory().get("/admin/programs/enterprise/")
    request.user = coordinator()
    queryset = model_admin.get_queryset(request).filter(pk=enterprise.pk)
    _header, row = list(exports.export_rows(model_admin, request, queryset))
    column = exports.export_columns(model_admin, request).index("micro_grid")
    assert row[column] == str(micro_grid) == f"{micro_grid.grid.name} {micro_grid.name}"
