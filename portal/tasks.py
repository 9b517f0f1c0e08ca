"""Tasks of the portal: they can run twice (or two at once) with one effect."""

from celery import shared_task

from . import snapshots


@shared_task(name="portal.refresh_dashboards")
def refresh_dashboards() -> dict:
    return snapshots.refresh_watched()
