from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and access logs"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
        from .audited import register_audited_models
        from .services.capture import connect_capture

        register_audited_models()
        connect_capture()
