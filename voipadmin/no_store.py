"""`Cache-Control: no-store` on every answer to a logged-in person and on every API answer.

What a console page or an API answer holds (CDRs, who is online, the audit log) must not stay in a
shared proxy's cache nor in the browser's after logout. Static files are answered by WhiteNoise,
earlier in the chain, and keep their long cache lifetimes.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logged_in = user is not None and user.is_authenticated
        if logged_in or request.path.startswith(API_PREFIX):
            add_never_cache_headers(response)
        return response
