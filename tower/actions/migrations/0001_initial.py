# The scorecard's agreed actions become the actions register (issue 11). Their tables were renamed
# by scorecards 0006 and keep their rows and history; this records the model in actions' state
# only, field for field as it was (0002 adds what the register needs).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("scorecards", "0006_agreed_action_tables_to_actions"),
        ("tenancy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Action",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("period", models.CharField(help_text="The scorecard period it was agreed in", max_length=7)),
                        ("kpi", models.CharField(blank=True, help_text="The KPI it should move, if any", max_length=40)),
                        ("title", models.CharField(max_length=300)),
                        ("owner", models.CharField(help_text="Who does it (name or function)", max_length=150)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        ("status", models.CharField(choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")], default="open", max_length=10)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("client", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="agreed_actions", to="tenancy.client")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["due_date", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalAction",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("period", models.CharField(help_text="The scorecard period it was agreed in", max_length=7)),
                        ("kpi", models.CharField(blank=True, help_text="The KPI it should move, if any", max_length=40)),
                        ("title", models.CharField(max_length=300)),
                        ("owner", models.CharField(help_text="Who does it (name or function)", max_length=150)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        ("status", models.CharField(choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")], default="open", max_length=10)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("client", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="tenancy.client")),
                        ("created_by", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical action",
                        "verbose_name_plural": "historical actions",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
    ]
