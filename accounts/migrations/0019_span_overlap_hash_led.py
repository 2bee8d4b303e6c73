"""Subscription spans: the no-overlap exclusion led by hashtext(subscription_id), the same constraint with a GiST
index that inserts fast (accounts.models.book.day_ranges_apart)."""

import django.contrib.postgres.constraints
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0018_usage_key_only"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subscriptionspan",
            name="span_no_overlap",
        ),
        migrations.AddConstraint(
            model_name="subscriptionspan",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    (
                        models.Func(
                            models.F("subscription_id"),
                            function="hashtext",
                            output_field=models.IntegerField(),
                        ),
                        "=",
                    ),
                    ("subscription_id", "="),
                    (
                        models.Func(
                            models.F("starts_on"),
                            models.F("ends_on"),
                            models.Value("[)"),
                            function="daterange",
                        ),
                        "&&",
                    ),
                ],
                name="span_no_overlap",
            ),
        ),
    ]
