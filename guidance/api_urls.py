"""REST routes of the guidance app, mounted under /api/v1/."""

urlpatterns = []
