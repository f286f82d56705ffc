from django.urls import path

from . import views, views_audit, views_people

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/switch", views.switch_account, name="switch-account"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/time-zones.json", views.time_zones, name="time-zones"),
    path("settings/links/", views.link_tracking, name="link-tracking"),
    path("settings/retention/", views.retention, name="retention"),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke", views.revoke_key, name="revoke-key"),
    path("people/", views_people.people_page, name="people"),
    path("people/<int:pk>/role", views_people.person_role, name="person-role"),
    path("people/<int:pk>/deactivate", views_people.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate", views_people.person_reactivate, name="person-reactivate"),
    path("people/invitations/<int:pk>/withdraw", views_people.invitation_withdraw, name="invitation-withdraw"),
    path("audit/", views_audit.audit_page, name="audit"),
]
