"""Error pages: the API answers its errors in JSON, as its schema says; the site, in HTML."""

from django.http import HttpRequest, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception):
    # An address no route matches (``/api/deals/-3/``, ``/api/nothing/``) answered the HTML 404 page.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
