from rest_framework.routers import SimpleRouter

from .api import AuditRecordResource, ConfigChangeResource, ServerEventResource, WebSessionResource

router = SimpleRouter()
router.register("web-sessions", WebSessionResource, basename="web-sessions-api")
router.register("audit", AuditRecordResource, basename="audit-api")
router.register("server-events", ServerEventResource, basename="server-events-api")
router.register("config-changes", ConfigChangeResource, basename="config-changes-api")
urlpatterns = router.urls
