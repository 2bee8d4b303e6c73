"""SurveyResponse moved to accounts (accounts 0004 renamed its table): only Django's state forgets it here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("accounts", "0004_survey_responses_spend_and_usage_journal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SurveyResponse")])
    ]
