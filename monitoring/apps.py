from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "User monitoring"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
