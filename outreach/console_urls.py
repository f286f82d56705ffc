from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/switch", views.switch_account, name="switch-account"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/time-zones.json", views.time_zones, name="time-zones"),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke", views.revoke_key, name="revoke-key"),
]
