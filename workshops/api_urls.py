"""REST routes of the workshops app, mounted under /api/v1/."""

urlpatterns = []
