from django.urls import path

from . import views, views_bulk, views_exports

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new", views.campaign_new, name="new"),
    path("preview", views.campaign_preview, name="preview"),
    path("bulk/", views.bulk_list, name="bulk-jobs"),
    path("bulk/new", views_bulk.bulk_new, name="bulk-new"),
    path("bulk/<uuid:pk>/", views.bulk_detail, name="bulk-job"),
    path("exports/", views_exports.export_list, name="exports"),
    path("exports/<uuid:pk>/", views_exports.export_detail, name="export"),
    path("exports/<uuid:pk>/download", views_exports.export_download, name="export-download"),
    path("<uuid:pk>/", views.campaign_detail, name="detail"),
    path("<uuid:pk>/edit", views.campaign_edit, name="edit"),
    path("<uuid:pk>/progress", views.campaign_progress, name="progress"),
    path("<uuid:pk>/clone", views.campaign_clone, name="clone"),
    path("<uuid:pk>/test", views.campaign_test_send, name="test-send"),
    path("<uuid:pk>/resend", views.campaign_resend, name="resend"),
    path("<uuid:pk>/export", views_exports.campaign_export, name="campaign-export"),
    path("<uuid:pk>/<str:action>", views.campaign_action, name="action"),
    path("<uuid:pk>/record/<str:kind>", views.record_outcome, name="record"),
]
