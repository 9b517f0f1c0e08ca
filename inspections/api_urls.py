"""REST routes of the inspections app, mounted under /api/v1/."""

urlpatterns = []
