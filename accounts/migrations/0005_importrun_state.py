"""ImportRun.state: an upload is queued and imported by a Celery task. Runs from before were imported at once, so
they are finished; new runs start queued."""

from django.db import migrations, models

STATES = [("queued", "Queued"), ("running", "Running"), ("finished", "Finished")]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_survey_responses_spend_and_usage_journal")]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="state",
            field=models.CharField(choices=STATES, default="finished", max_length=8),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="importrun",
            name="state",
            field=models.CharField(choices=STATES, default="queued", max_length=8),
        ),
    ]
