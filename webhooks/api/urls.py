from django.urls import path

from . import sendblue_views, stream_views, views

urlpatterns = [
    path("v1/webhooks", views.EndpointsView.as_view(), name="api-webhooks"),
    path("v1/webhooks/signing-secret/rotate", views.RotateAccountSecretView.as_view(), name="api-webhooks-account-secret"),
    path("v1/webhooks/replay", views.ReplayAllFailedView.as_view(), name="api-webhooks-replay"),
    path("v1/webhooks/<int:pk>", views.EndpointView.as_view(), name="api-webhook"),
    path("v1/webhooks/<int:pk>/deliveries", views.DeliveriesView.as_view(), name="api-webhook-deliveries"),
    path(
        "v1/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay",
        views.ReplayDeliveryView.as_view(),
        name="api-webhook-delivery-replay",
    ),
    path("v1/webhooks/<int:pk>/replay", views.ReplayFailedView.as_view(), name="api-webhook-replay"),
    path("v1/webhooks/<int:pk>/test", views.TestPingView.as_view(), name="api-webhook-test"),
    path("v1/webhooks/<int:pk>/rotate-secret", views.RotateSecretView.as_view(), name="api-webhook-rotate"),
    path("v2/events", stream_views.EventStream.as_view(), name="api-v2-events"),
    path("account/webhooks", sendblue_views.AccountWebhooksView.as_view(), name="api-account-webhooks"),
]
