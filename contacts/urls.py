from django.urls import path

from . import views, views_import

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.contact_new, name="new"),
    path("<uuid:pk>/", views.contact_detail, name="detail"),
    path("<uuid:pk>/opt", views.contact_opt, name="opt"),
    path("<uuid:pk>/delete", views.contact_delete, name="delete"),
    path("lists/", views.list_index, name="lists"),
    path("lists/<uuid:pk>/", views.list_detail, name="list-detail"),
    path("lists/<uuid:pk>/delete", views.list_delete, name="list-delete"),
    path("import/", views_import.import_upload, name="import"),
    path("import/<uuid:pk>/map/", views_import.import_map, name="import-map"),
    path("import/<uuid:pk>/", views_import.import_job, name="import-job"),
    path("import/<uuid:pk>/rejected.csv", views_import.import_rejected, name="import-rejected"),
]
