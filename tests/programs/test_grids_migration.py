"""The data migration ``0013_grids_data``: the enterprises' free-text grid and micro-grid become entities."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import Enterprise, Grid, MicroGrid

BEFORE = ("programs", "0012_grids")


@pytest.mark.django_db(transaction=True)
def test_the_free_text_grids_become_grids_and_micro_grids_with_their_enterprises():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    OldRegion, OldEnterprise = old.get_model("programs", "Region"), old.get_model("programs", "Enterprise")
    town = OldRegion.objects.create(code="330205003000", name="前江街道", level="town")
    community = OldRegion.objects.create(code="330205003001", name="118工业社区", level="village", parent=town)
    other = OldRegion.objects.create(code="330205003002", name="前洋村", level="village", parent=town)

    def enterprise(name, region, grid_text, micro_grid_text):
        return OldEnterprise.objects.create(
            name=name, region=region, grid_text=grid_text, micro_grid_text=micro_grid_text
        ).pk

    first = enterprise("甲", community, "第一网格", "微网格1")
    same = enterprise("乙", community, " 第一网格 ", "微网格1")  # spaces do not make another grid
    second_micro = enterprise("丙", community, "第一网格", "微网格2")
    grid_only = enterprise("丁", community, "第二网格", "")
    elsewhere = enterprise("戊", other, "第一网格", "微网格1")  # another community's grid of the same name
    none = enterprise("己", community, "", "")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    placed = {e.pk: e.micro_grid for e in Enterprise.objects.select_related("micro_grid__grid__community")}
    assert placed[first] == placed[same]
    assert (placed[first].grid.name, placed[first].name, placed[first].grid.community.code) == (
        "第一网格",
        "微网格1",
        "330205003001",
    )
    assert placed[second_micro].grid == placed[first].grid and placed[second_micro].name == "微网格2"
    assert (placed[grid_only].grid.name, placed[grid_only].name) == ("第二网格", "第二网格")
    assert placed[elsewhere].grid.community.code == "330205003002"
    assert placed[none] is None
    assert sorted(Grid.objects.filter(community__code="330205003001").values_list("code", "name")) == [
        ("G01", "第一网格"),
        ("G02", "第二网格"),
    ]
    assert MicroGrid.objects.filter(grid__community__code="330205003001").count() == 3
    assert placed[second_micro].code == "G01-02"
