"""Pages of the workshops app; its REST routes are in api_urls.py."""

urlpatterns = []
