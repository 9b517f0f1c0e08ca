"""Pages of the inspections app; its REST routes are in api_urls.py."""

urlpatterns = []
