from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and access logs"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
