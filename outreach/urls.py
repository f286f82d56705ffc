"""The only module that knows every app."""
from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from messaging.api.urls import arnio_urlpatterns, contacts_urlpatterns

from .health import healthz, readyz
from .metrics import metrics_view
from .views_people import accept_invite

#: Swagger UI and ReDoc style their markup inline and ReDoc runs a worker from a blob:;
#: their pages alone allow that (scripts stay 'self': the Swagger UI split view serves its
#: start-up script as a file).
API_DOCS_POLICY = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": [SELF, "blob:"]})

handler400 = "outreach.error_views.bad_request"
handler403 = "outreach.error_views.permission_denied"
handler404 = "outreach.error_views.not_found"
handler500 = "outreach.error_views.server_error"

api_patterns = [
    path("", include("outreach.api.urls")),
    path("", include(contacts_urlpatterns)),  # before contacts: v2/contacts/verify is no phone number
    path("", include("contacts.api.urls")),
    # campaigns before messaging: v1/messages/bulk/... must not be read as a message id.
    path("", include("campaigns.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("inbox.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", API_DOCS_POLICY(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", API_DOCS_POLICY(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
    path("api/", include(api_patterns)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's password reset flow, in the console's templates (templates/registration/).
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invite/<str:token>/", accept_invite, name="accept-invite"),
    path("", include("campaigns.link_urls")),  # /l/<code>: tracked links
    path("contacts/", include("contacts.urls")),
    path("messages/", include("messaging.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("inbox/", include("inbox.urls")),
    # Arnio's send paths have no /api prefix (seed 000).
    path("", include(arnio_urlpatterns)),
    path("", include("outreach.console_urls")),
]
