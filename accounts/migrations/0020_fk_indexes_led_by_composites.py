"""Foreign keys without an index of their own where a composite index leads with the column (one index less
to write per imported row)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    ("accounts_account_csm_id_124572e2", "accounts_account", "csm_id"),
    ("accounts_accountownership_account_id_c08a66cb", "accounts_accountownership", "account_id"),
    ("accounts_contact_account_id_2026f578", "accounts_contact", "account_id"),
    ("accounts_subscriptionspan_account_id_d5bf605c", "accounts_subscriptionspan", "account_id"),
    ("surveys_surveyresponse_account_id_1507672a", "accounts_surveyresponse", "account_id"),
    ("surveys_surveyresponse_contact_id_2e1db68c", "accounts_surveyresponse", "contact_id"),
    ("accounts_ticket_account_id_598d4f8f", "accounts_ticket", "account_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0019_span_overlap_hash_led"),
    ]

    # The indexes only: Django's AlterField would also drop and re-add each foreign key (checking every row again)
    # and, on accounts_accountownership, drop the partial unique index ownership_one_current with the column's.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}", reverse_sql=f"CREATE INDEX {name} ON {table} ({column})"
                )
                for name, table, column in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="account",
                    name="csm",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="CSM",
                    ),
                ),
                migrations.AlterField(
                    model_name="accountownership",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ownerships",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="subscriptionspan",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="spans",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="surveyresponse",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="surveyresponse",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="accounts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tickets",
                        to="accounts.account",
                    ),
                ),
            ],
        ),
    ]
