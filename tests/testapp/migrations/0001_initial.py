from django.db import migrations, models

from voipadmin.partitions import PartitionByMonth


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="Probe",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("event_id", models.CharField(max_length=64)),
                ("time", models.DateTimeField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("PING", "Ping"), ("PONG", "Pong"), ("KEEP", "Keep (protected from deletion)")],
                        max_length=8,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("value", models.IntegerField(blank=True, null=True)),
                ("flag", models.BooleanField(default=False)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["time", "id"], name="probe_time_idx"),
                    models.Index(fields=["kind", "id"], name="probe_kind_idx"),
                    models.Index(fields=["value", "id"], name="probe_value_idx"),
                    models.Index(fields=["note", "id"], name="probe_note_idx"),
                ],
                "constraints": [models.UniqueConstraint(fields=("event_id", "time"), name="probe_source_uniq")],
            },
        ),
        PartitionByMonth(model_name="Probe", column="time"),
    ]
