from rest_framework.routers import SimpleRouter

from .api import WebSessionResource

router = SimpleRouter()
router.register("web-sessions", WebSessionResource, basename="web-sessions-api")
urlpatterns = router.urls
