"""Data: the enterprises' free-text grid and micro-grid become entities.

Each distinct (region, grid, micro-grid) text of the enterprises becomes a grid of that region (the community)
and a micro-grid of it, both named by the text (a missing half takes the other's name), coded in order
(G01, G01-01 …); the enterprises are assigned to the micro-grid. Backwards, the names are written back as text.
Set-based: one UPDATE per distinct combination, never one per enterprise."""

from django.db import migrations
from django.db.models import OuterRef, Q, Subquery


def texts_to_entities(apps, schema_editor):
    Enterprise = apps.get_model("programs", "Enterprise")
    Grid = apps.get_model("programs", "Grid")
    MicroGrid = apps.get_model("programs", "MicroGrid")
    combinations = (
        Enterprise.objects.exclude(grid_text="", micro_grid_text="")
        .values_list("region_id", "grid_text", "micro_grid_text")
        .distinct()
        .order_by("region_id", "grid_text", "micro_grid_text")
    )
    for region_id, grid_text, micro_grid_text in combinations:
        grid_name = (grid_text.strip() or micro_grid_text.strip())[:100]
        micro_name = (micro_grid_text.strip() or grid_text.strip())[:100]
        if not grid_name:
            continue  # only spaces: nothing to keep
        grid = Grid.objects.filter(community_id=region_id, name=grid_name).first()
        if grid is None:
            number = Grid.objects.filter(community_id=region_id).count() + 1
            grid = Grid.objects.create(community_id=region_id, name=grid_name, code=f"G{number:02d}")
        micro_grid = MicroGrid.objects.filter(grid=grid, name=micro_name).first()
        if micro_grid is None:
            number = MicroGrid.objects.filter(grid=grid).count() + 1
            micro_grid = MicroGrid.objects.create(grid=grid, name=micro_name, code=f"{grid.code}-{number:02d}")
        Enterprise.objects.filter(
            region_id=region_id, grid_text=grid_text, micro_grid_text=micro_grid_text, micro_grid__isnull=True
        ).update(micro_grid=micro_grid)


def entities_to_texts(apps, schema_editor):
    Enterprise = apps.get_model("programs", "Enterprise")
    MicroGrid = apps.get_model("programs", "MicroGrid")
    micro_grids = MicroGrid.objects.filter(pk=OuterRef("micro_grid_id"))
    Enterprise.objects.filter(~Q(micro_grid=None)).update(
        grid_text=Subquery(micro_grids.values("grid__name")[:1]),
        micro_grid_text=Subquery(micro_grids.values("name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0012_grids")]

    operations = [migrations.RunPython(texts_to_entities, entities_to_texts, elidable=False)]
