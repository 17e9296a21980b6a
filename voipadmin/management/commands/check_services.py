from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Fail loudly unless the configured database and Celery broker answer (make test runs it)."
    # The system checks would connect first (a GeneratedField asks the server's version) and fail
    # on the very database this command is there to create.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--require-postgres", action="store_true")
        parser.add_argument("--require-redis", action="store_true")
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="Create the PostgreSQL database named in DATABASE_URL if it is missing.",
        )

    def handle(self, *args, require_postgres: bool, require_redis: bool, create_database: bool, **options):
        vendor = connection.vendor
        if require_postgres and vendor != "postgresql":
            raise CommandError("DATABASE_URL must point at PostgreSQL (postgres://...); tests never use SQLite.")
        self._database(vendor, create_database)
        self.stdout.write(f"database: {vendor} ok")
        broker = settings.CELERY_BROKER_URL
        if require_redis and not broker.startswith("redis"):
            raise CommandError("CELERY_BROKER_URL must be redis://...; tests never use the folder broker.")
        if broker.startswith("redis"):
            import redis

            try:
                redis.Redis.from_url(broker, socket_connect_timeout=3).ping()
            except Exception as error:
                raise CommandError(f"Redis at {broker} does not answer: {error}") from None
            self.stdout.write("broker: redis ok")

    def _database(self, vendor: str, create: bool) -> None:
        where = settings.DATABASES["default"].get("HOST") or "the local socket"
        try:
            connection.ensure_connection()
            return
        except Exception as error:
            missing = "does not exist" in str(error)
            if not (vendor == "postgresql" and missing and create):
                raise CommandError(f"The database at {where} does not answer: {error}") from None
        name = settings.DATABASES["default"]["NAME"]
        try:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        except Exception as error:
            raise CommandError(f"PostgreSQL at {where} does not answer or cannot create {name!r}: {error}") from None
        self.stdout.write(f"database: created {name}")
