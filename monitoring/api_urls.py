from rest_framework.routers import SimpleRouter

from .api import MonitoringResource, TerminalStateResource

router = SimpleRouter()
router.register("terminal-states", TerminalStateResource, basename="terminal-states-api")
router.register("monitoring", MonitoringResource, basename="monitoring-api")
urlpatterns = router.urls
