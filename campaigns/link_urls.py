"""``/l/<code>``, at the root of the site (short links), without a namespace."""
from django.urls import path

from .views_links import follow

urlpatterns = [path("l/<str:code>", follow, name="link")]
