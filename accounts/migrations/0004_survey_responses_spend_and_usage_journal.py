"""Survey responses (from surveys), spend and the journal of changed usage days (from metrics) are raw facts, so
they live with the other facts of the book of business: their tables are renamed, their rows kept."""

import django.db.models.deletion
from django.db import migrations, models

RENAMES = [
    ("surveys_surveyresponse", "accounts_surveyresponse", True),
    ("metrics_spend", "accounts_spend", True),
    ("metrics_staleusageday", "accounts_changedusageday", False),
]


def _sql(renames):
    statements = []
    for old, new, has_sequence in renames:
        statements.append(f"ALTER TABLE {old} RENAME TO {new}")
        if has_sequence:
            statements.append(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    return ";\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_account_list_indexes"),
        ("surveys", "0001_initial"),
        ("metrics", "0009_month_end_and_at_risk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    _sql(RENAMES), reverse_sql=_sql([(new, old, seq) for old, new, seq in RENAMES])
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ChangedUsageDay",
                    fields=[
                        ("day", models.DateField(primary_key=True, serialize=False)),
                        ("marked_at", models.DateTimeField(auto_now=True)),
                    ],
                ),
                migrations.CreateModel(
                    name="Spend",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField(unique=True)),
                        ("amount", models.DecimalField(decimal_places=4, max_digits=18)),
                    ],
                    options={
                        "ordering": ["month"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("month__day", 1)), name="spend_month_first_day"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gte", 0)), name="spend_amount_not_negative"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SurveyResponse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("external_id", models.CharField(max_length=200, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")], max_length=4
                            ),
                        ),
                        ("score", models.SmallIntegerField()),
                        ("responded_at", models.DateTimeField()),
                        ("comment", models.TextField(blank=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responses",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responses",
                                to="accounts.contact",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-responded_at"],
                        "indexes": [
                            models.Index(fields=["kind", "responded_at"], name="response_kind_time"),
                            models.Index(fields=["account", "responded_at"], name="response_account_time"),
                            models.Index(fields=["contact", "responded_at"], name="response_contact_time"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("kind__in", ["nps", "csat", "ces"]),
                                    models.Q(
                                        models.Q(("kind", "nps"), ("score__gte", 0), ("score__lte", 10)),
                                        models.Q(("kind", "csat"), ("score__gte", 1), ("score__lte", 5)),
                                        models.Q(("kind", "ces"), ("score__gte", 1), ("score__lte", 7)),
                                        _connector="OR",
                                    ),
                                ),
                                name="response_score_in_scale",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
