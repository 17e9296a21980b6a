from django.apps import AppConfig


class VoipadminConfig(AppConfig):
    name = "voipadmin"
    verbose_name = "Console"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from . import checks  # noqa: F401 - registers the system checks
        from .menu import MenuEntry, register_page
        from .roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="voipadmin.sync_roles")
        # Every process (web, worker, beat, commands) knows every report and dashboard card.
        autodiscover_modules("reports", "cards")
        register_page(MenuEntry("Settings", "settings", "Console", 95, "voipadmin.change_consolesetting"))
