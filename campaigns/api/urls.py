from django.urls import path

from . import exports, views

urlpatterns = [
    path("v1/campaigns", views.CampaignsView.as_view(), name="api-campaigns"),
    path("v1/campaigns/<uuid:pk>", views.CampaignView.as_view(), name="api-campaign"),
    path("v1/campaigns/<uuid:pk>/start", views.StartView.as_view(), name="api-campaign-start"),
    path("v1/campaigns/<uuid:pk>/pause", views.PauseView.as_view(), name="api-campaign-pause"),
    path("v1/campaigns/<uuid:pk>/resume", views.ResumeView.as_view(), name="api-campaign-resume"),
    path("v1/campaigns/<uuid:pk>/stop", views.StopView.as_view(), name="api-campaign-stop"),
    path("v1/campaigns/<uuid:pk>/clone", views.CloneView.as_view(), name="api-campaign-clone"),
    path("v1/campaigns/<uuid:pk>/test", views.TestSendView.as_view(), name="api-campaign-test"),
    path("v1/campaigns/<uuid:pk>/resend", views.ResendView.as_view(), name="api-campaign-resend"),
    path("v1/campaigns/<uuid:pk>/recipients", views.RecipientsView.as_view(), name="api-campaign-recipients"),
    path("v1/exports", exports.ExportsView.as_view(), name="api-exports"),
    path("v1/exports/<uuid:pk>", exports.ExportView.as_view(), name="api-export"),
    path("v1/exports/<uuid:pk>/download", exports.ExportDownloadView.as_view(), name="api-export-download"),
    path("v1/appointments", views.AppointmentsView.as_view(), name="api-appointments"),
    path("v1/calls", views.CallsView.as_view(), name="api-calls"),
    # Before messaging's v1/messages/<id> routes (see outreach/urls.py): "bulk" is no id.
    path("v1/messages/bulk", views.BulkJobsView.as_view(), name="api-bulk-jobs"),
    path("v1/messages/bulk/<str:job_id>", views.BulkJobView.as_view(), name="api-bulk-job"),
    path("v1/messages/bulk/<str:job_id>/results", views.BulkResultsView.as_view(), name="api-bulk-job-results"),
]
