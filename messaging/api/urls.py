from django.urls import path

from . import views

urlpatterns = [
    path("v1/lines", views.LineList.as_view(), name="api-lines"),
]
