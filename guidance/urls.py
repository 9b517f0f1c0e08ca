"""Pages of the guidance app; its REST routes are in api_urls.py."""

urlpatterns = []
