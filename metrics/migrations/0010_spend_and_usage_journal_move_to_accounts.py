"""Spend and the journal of changed usage days moved to accounts (accounts 0004 renamed their tables): only
Django's state forgets them here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0009_month_end_and_at_risk_indexes"),
        ("accounts", "0004_survey_responses_spend_and_usage_journal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Spend"),
                migrations.DeleteModel(name="StaleUsageDay"),
            ]
        )
    ]
