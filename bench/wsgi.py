"""The console's WSGI application with a `Server-Timing: app;dur=<ms>` header on every response.

The time runs from the moment the server hands the request to Django until Django starts the
response: every middleware, the view, the queries and the template; not the HTTP parsing nor the
sending of the body (for a streamed export, only the time to its first byte).
"""

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()


def application(environ, start_response):
    started = time.perf_counter()

    def timed_start_response(status, headers, exc_info=None):
        headers.append(("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.3f}"))
        return start_response(status, headers, exc_info)

    return django_application(environ, timed_start_response)
