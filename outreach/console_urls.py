from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/switch", views.switch_account, name="switch-account"),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke", views.revoke_key, name="revoke-key"),
]
