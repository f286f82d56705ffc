from django.urls import path

from . import views

urlpatterns = [
    path("v1/conversations", views.ConversationsView.as_view(), name="api-conversations"),
    path("v1/conversations/<int:pk>", views.ConversationView.as_view(), name="api-conversation"),
    path("v1/conversations/<int:pk>/notes", views.NotesView.as_view(), name="api-conversation-notes"),
    path("v1/labels", views.LabelsView.as_view(), name="api-labels"),
    path("v1/labels/<int:pk>", views.LabelView.as_view(), name="api-label"),
    path("v1/canned-replies", views.CannedRepliesView.as_view(), name="api-canned-replies"),
    path("v1/canned-replies/<int:pk>", views.CannedReplyView.as_view(), name="api-canned-reply"),
]
