from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0005_binding_end_reason_registrar"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registrationbinding",
            index=models.Index(
                condition=models.Q(("removed_at__isnull", True)),
                fields=["account", "expires_at"],
                name="binding_account_live_idx",
            ),
        ),
    ]
