"""Pages of the workshops app; its REST routes are in api_urls.py."""

from django.urls import path

from . import views, views_jobs

app_name = "workshops"
urlpatterns = [
    path("workshops/", views.position_list, name="positions"),
    path("workshops/positions/<int:pk>/", views.position_detail, name="position"),
    path("workshops/registered/<str:token>/", views.registered, name="registered"),
    path("workshops/mine/", views.my_registrations, name="mine"),
    path("workshops/offers/<int:pk>/", views_jobs.offer_open, name="offer"),
    path("workshops/courses/", views_jobs.course_list, name="courses"),
    path("workshops/courses/<int:pk>/enrol/", views_jobs.course_enrol, name="course-enrol"),
]
