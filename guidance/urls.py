"""Pages of the guidance app; its REST routes are in api_urls.py."""

from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("guidance/", views.theme_index, name="index"),
    path("guidance/book/<slug:code>/", views.book, name="book"),
    path("guidance/mine/", views.my_bookings, name="mine"),
    path("guidance/letters/<int:pk>/", views.letter, name="letter"),
    path("guidance/letters/<int:pk>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("guidance/manage/<str:token>/", views.manage, name="manage"),
    path("guidance/manage/<str:token>/reschedule/", views.manage_reschedule, name="manage-reschedule"),
    path("guidance/manage/<str:token>/cancel/", views.manage_cancel, name="manage-cancel"),
    path("guidance/manage/<str:token>/risks/<int:risk_id>/evidence/", views.manage_evidence, name="manage-evidence"),
    path("guidance/manage/<str:token>/visit.ics", views.manage_ical, name="manage-ical"),
    path("guidance/manage/<str:token>/letter/", views.manage_letter, name="manage-letter"),
    path("guidance/manage/<str:token>/letter/pdf/", views.manage_letter_pdf, name="manage-letter-pdf"),
    path("guidance/feedback/<str:token>/", views.feedback, name="feedback"),
    path("guidance/waitlist/<str:token>/", views.waitlist, name="waitlist"),
    path("guidance/waitlist/<str:token>/accept/", views.waitlist_accept, name="waitlist-accept"),
    path("guidance/waitlist/<str:token>/leave/", views.waitlist_leave, name="waitlist-leave"),
]
