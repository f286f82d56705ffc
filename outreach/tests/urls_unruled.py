"""The real URLconf plus a console page nobody wrote a role rule for (test_role_matrix)."""
from django.http import HttpResponse
from django.urls import path

from outreach.urls import *  # noqa: F403
from outreach.urls import urlpatterns as base


def forgotten(request):
    return HttpResponse("should never be served")


urlpatterns = [path("forgotten/", forgotten, name="forgotten"), *base]
