from rest_framework.routers import SimpleRouter

from .api import CdrResource

router = SimpleRouter()
router.register("cdrs", CdrResource, basename="cdrs-api")
urlpatterns = router.urls
