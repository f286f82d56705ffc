from django.urls import path

from . import views, views_list, views_work

app_name = "inbox"
urlpatterns = [
    path("labels/", views.labels_page, name="labels"),
    path("labels/<int:pk>/", views.label_edit, name="label"),
    path("labels/<int:pk>/delete", views.label_delete, name="label-delete"),
    path("canned/", views.canned_page, name="canned"),
    path("canned/<int:pk>/", views.canned_edit, name="canned-reply"),
    path("canned/<int:pk>/delete", views.canned_delete, name="canned-delete"),
    path("assignment/", views.assignment_page, name="assignment"),
    path("availability/", views.availability, name="availability"),
    path("conversations/<int:pk>/assign", views_work.assign, name="assign"),
    path("conversations/<int:pk>/close", views_work.close, name="close"),
    path("conversations/<int:pk>/reopen", views_work.reopen, name="reopen"),
    path("conversations/<int:pk>/snooze", views_work.snooze, name="snooze"),
    path("conversations/<int:pk>/labels", views_work.set_labels, name="set-labels"),
    path("conversations/<int:pk>/notes", views_work.add_note, name="note"),
    path("conversations/bulk", views_work.bulk, name="bulk"),
    path("counts", views_list.counts, name="counts"),
    path("notify", views_list.notify, name="notify"),
]
