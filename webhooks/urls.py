from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/replay-failed", views.replay_callbacks, name="replay-callbacks"),
    path("signing-secret/rotate", views.rotate_account_secret, name="rotate-account-secret"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/rotate", views.rotate_secret, name="rotate"),
    path("<int:pk>/toggle", views.toggle, name="toggle"),
    path("<int:pk>/test", views.send_test, name="test"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("<int:pk>/replay-failed", views.replay_failed, name="replay-failed"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/replay", views.replay, name="replay"),
]
