from rest_framework.routers import SimpleRouter

from .api import KamailioFactResource, KamailioUsrlocResource

router = SimpleRouter()
router.register("kamailio/facts", KamailioFactResource, basename="kamailio-facts-api")
router.register("kamailio/usrloc", KamailioUsrlocResource, basename="kamailio-usrloc-api")
urlpatterns = router.urls
