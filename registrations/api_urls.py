from rest_framework.routers import SimpleRouter

from .api import AccountResource, RegistrationHistoryResource, RegistrationResource

router = SimpleRouter()
router.register("accounts", AccountResource, basename="accounts-api")
router.register("registrations", RegistrationResource, basename="registrations-api")
router.register("registration-history", RegistrationHistoryResource, basename="registration-history-api")
urlpatterns = router.urls
