from django.db import migrations

# METRICS.md "Health score (default model)", frozen here: later changes of the defaults make new versions.
WEIGHTS = {"activity": 30, "adoption": 15, "sentiment": 20, "support": 15, "revenue": 10, "recency": 10}
PARAMETERS = {
    "activity_target_days": 20,
    "sentiment_window_days": 180,
    "support_window_days": 30,
    "support_high_penalty": 15,
    "support_other_penalty": 5,
    "revenue_lookback_days": 90,
    "revenue_drop_penalty": 200,
    "recency_zero_after_days": 60,
    "recency_ramp_days": 53,
}


def create_default_model(apps, schema_editor):
    HealthModel = apps.get_model("health", "HealthModel")
    if not HealthModel.objects.exists():
        HealthModel.objects.create(
            version=1,
            is_active=True,
            note="The default model of METRICS.md.",
            weights=WEIGHTS,
            parameters=PARAMETERS,
            green_min=70,
            yellow_min=40,
            drop_points=15,
            drop_days=30,
        )


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(create_default_model, migrations.RunPython.noop)]
