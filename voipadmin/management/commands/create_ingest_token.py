from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create (or show) the API token of a machine client that pushes events, e.g. "
        "`create_ingest_token pbx-1`. The client sends `Authorization: Token <key>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="A name for the client: letters, digits, dot, dash, underscore.")
        parser.add_argument("--rotate", action="store_true", help="Replace the key (the old one stops working).")

    def handle(self, *args, name: str, rotate: bool, **options):
        if not name or not all(ch.isalnum() or ch in "._-" for ch in name) or len(name) > 120:
            raise CommandError(f"{name!r} is not a valid client name (letters, digits, '.', '-', '_'; at most 120).")
        try:
            group = Group.objects.get(name="Ingest")
        except Group.DoesNotExist:
            raise CommandError("The Ingest role is missing: run `manage.py migrate` first.") from None
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=f"ingest.{name}")
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
