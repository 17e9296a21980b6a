from django.urls import include, path
from rest_framework.routers import SimpleRouter

from voipadmin.urls import urlpatterns as console_urls

from .reports import ProbeResource, probes

router = SimpleRouter()
router.register("probes", ProbeResource, basename="probes-api")

urlpatterns = [
    path("probes/", include(probes.urls)),
    path("api/v1/", include(router.urls)),
    *console_urls,
]
