"""Request checks that hold for every page, public or admin."""

from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL character anywhere in the path or the query string is a 400.

    PostgreSQL text cannot hold NUL, so a filter value such as ``?party_country=%00`` (admin) or
    ``?q=%00`` reached the query and answered 500 (issue 26). No real address contains one; one
    check here covers every filter, search box and form read from the URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            message = _("Bad request: the address contains a NUL character.")
            if request.path.startswith("/api/"):  # the API answers JSON, as its schema says
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
