from django.urls import path

from . import views

urlpatterns = [
    path("v1/account", views.AccountView.as_view(), name="api-account"),
    path("v1/account/retention", views.RetentionView.as_view(), name="api-account-retention"),
]
