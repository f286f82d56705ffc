from django.urls import path

from . import keywords, v2, views

urlpatterns = [
    path("v1/contacts", views.ContactsView.as_view(), name="api-contacts"),
    path("v1/contacts/batch", views.BatchView.as_view(), name="api-contacts-batch"),
    path("v1/contacts/<uuid:pk>", views.ContactView.as_view(), name="api-contact"),
    path("v1/contacts/<uuid:pk>/opt-out", views.OptOutView.as_view(), name="api-contact-opt-out"),
    path("v1/contacts/<uuid:pk>/opt-in", views.OptInView.as_view(), name="api-contact-opt-in"),
    path("v1/lists", views.ListsView.as_view(), name="api-lists"),
    path("v1/keywords", keywords.KeywordsView.as_view(), name="api-keywords"),
    # The Sendblue dialect's contacts (the official SDK's ``contacts`` resource).
    path("v2/contacts", v2.ContactsV2.as_view(), name="api-v2-contacts"),
    path("v2/contacts/bulk", v2.ContactsBulkV2.as_view(), name="api-v2-contacts-bulk"),
    path("v2/contacts/count", v2.ContactsCountV2.as_view(), name="api-v2-contacts-count"),
    path("v2/contacts/opt-out", v2.ContactsOptOutV2.as_view(), name="api-v2-contacts-opt-out"),
    path("v2/contacts/<str:phone_number>", v2.ContactV2.as_view(), name="api-v2-contact"),
    path("v1/lists/<uuid:pk>", views.ListView.as_view(), name="api-list"),
    path("v1/lists/<uuid:pk>/contacts", views.ListMembersView.as_view(), name="api-list-contacts"),
]
