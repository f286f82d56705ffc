from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("labels/", views.labels_page, name="labels"),
    path("labels/<int:pk>/", views.label_edit, name="label"),
    path("labels/<int:pk>/delete", views.label_delete, name="label-delete"),
    path("canned/", views.canned_page, name="canned"),
    path("canned/<int:pk>/", views.canned_edit, name="canned-reply"),
    path("canned/<int:pk>/delete", views.canned_delete, name="canned-delete"),
    path("assignment/", views.assignment_page, name="assignment"),
    path("availability/", views.availability, name="availability"),
]
