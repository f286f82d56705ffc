from django.urls import path

from . import views, views_bulk, views_import, views_keywords

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.contact_new, name="new"),
    path("bulk", views_bulk.contact_bulk, name="bulk"),
    path("save-as-list", views_bulk.save_filter_as_list, name="save-as-list"),
    path("<uuid:pk>/", views.contact_detail, name="detail"),
    path("<uuid:pk>/opt", views.contact_opt, name="opt"),
    path("<uuid:pk>/delete", views.contact_delete, name="delete"),
    path("keywords/", views_keywords.keyword_settings, name="keywords"),
    path("lists/", views.list_index, name="lists"),
    path("lists/<uuid:pk>/", views.list_detail, name="list-detail"),
    path("lists/<uuid:pk>/delete", views.list_delete, name="list-delete"),
    path("lists/<uuid:pk>/add", views.list_members, {"verb": "add"}, name="list-add"),
    path("lists/<uuid:pk>/remove", views.list_members, {"verb": "remove"}, name="list-remove"),
    path("import/", views_import.import_upload, name="import"),
    path("import/<uuid:pk>/map/", views_import.import_map, name="import-map"),
    path("import/<uuid:pk>/", views_import.import_job, name="import-job"),
    path("import/<uuid:pk>/save-as-list", views_bulk.save_import_as_list, name="import-save-as-list"),
    path("import/<uuid:pk>/rejected.csv", views_import.import_rejected, name="import-rejected"),
]
