from rest_framework.routers import SimpleRouter

from .api import AccountResource, RegistrationResource

router = SimpleRouter()
router.register("accounts", AccountResource, basename="accounts-api")
router.register("registrations", RegistrationResource, basename="registrations-api")
urlpatterns = router.urls
