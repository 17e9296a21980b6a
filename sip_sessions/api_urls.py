from rest_framework.routers import SimpleRouter

from .api import SipEventResource

router = SimpleRouter()
router.register("sip-events", SipEventResource, basename="sip-events-api")
urlpatterns = router.urls
