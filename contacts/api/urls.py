from django.urls import path

from . import views

urlpatterns = [
    path("v1/contacts", views.ContactsView.as_view(), name="api-contacts"),
    path("v1/contacts/batch", views.BatchView.as_view(), name="api-contacts-batch"),
    path("v1/contacts/<uuid:pk>", views.ContactView.as_view(), name="api-contact"),
    path("v1/contacts/<uuid:pk>/opt-out", views.OptOutView.as_view(), name="api-contact-opt-out"),
    path("v1/contacts/<uuid:pk>/opt-in", views.OptInView.as_view(), name="api-contact-opt-in"),
    path("v1/lists", views.ListsView.as_view(), name="api-lists"),
    path("v1/lists/<uuid:pk>", views.ListView.as_view(), name="api-list"),
    path("v1/lists/<uuid:pk>/contacts", views.ListMembersView.as_view(), name="api-list-contacts"),
]
