import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the console's superuser (or give it a new password) and print the password."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--keep", action="store_true", help="Leave an existing user's password as it is.")

    def handle(self, *args, username: str, keep: bool, **options):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username, defaults={"email": ""})
        if not created and keep:
            self.stdout.write(f"Superuser {username!r} exists; password unchanged.")
            return
        password = secrets.token_urlsafe(12)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(f"Log in at http://127.0.0.1:8000/ as {username!r} with password: {password}")
        )
