"""Rules of METRICS.md "Revenue" as SQL functions, the one place they are written: the monthly KPIs
(metrics/sql/monthly_*.sql), the drill-downs and an account's history all call them, so the accounts of a list
add up to the month's figure by construction.

- keel_month_end: the last day of a day's month;
- keel_revenue_paid_month_end: the first month-end a span pays on (a span priced above 0 counts on a month-end
  only when it is still active on the last day of the month it starts in), null when it never does;
- keel_revenue_movement: "Movements of month m" for one account, from s (its MRR or ARR at the end of m−1), e (at
  the end of m) and whether it paid on an earlier month-end: new, reactivation, expansion, contraction, churned,
  or null. Each movement's amount is |e − s|.

One-expression `LANGUAGE sql IMMUTABLE` functions, which PostgreSQL inlines where they are called. The preview's
rows of the Health page move here from health (metrics.PreviewRow, filled by the pipeline); the table is empty
until the next run, and the preview reads the daily rows until then.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION keel_month_end(day date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (date_trunc('month', day::timestamp) + interval '1 month - 1 day')::date
$$;

CREATE OR REPLACE FUNCTION keel_revenue_paid_month_end(amount numeric, starts_on date, ends_on date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN amount > 0 AND (ends_on IS NULL OR keel_month_end(starts_on) < ends_on)
                THEN keel_month_end(starts_on) END
$$;

CREATE OR REPLACE FUNCTION keel_revenue_movement(s numeric, e numeric, paid_before boolean)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s = 0 AND e > 0 THEN CASE WHEN paid_before THEN 'reactivation' ELSE 'new' END
                WHEN s > 0 AND e = 0 THEN 'churned'
                WHEN s > 0 AND e > s THEN 'expansion'
                WHEN s > 0 AND e < s THEN 'contraction' END
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS keel_revenue_movement(numeric, numeric, boolean);
DROP FUNCTION IF EXISTS keel_revenue_paid_month_end(numeric, date, date);
DROP FUNCTION IF EXISTS keel_month_end(date);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0010_spend_and_usage_journal_move_to_accounts"),
        ("health", "0005_score_rules_and_reasons_as_data"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        migrations.CreateModel(
            name="PreviewRow",
            fields=[
                ("day", models.DateField()),
                ("activity", models.FloatField(null=True)),
                ("adoption", models.FloatField(null=True)),
                ("sentiment", models.FloatField(null=True)),
                ("support", models.FloatField(null=True)),
                ("revenue", models.FloatField(null=True)),
                ("recency", models.FloatField(null=True)),
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "day", "account_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("account_id", models.BigIntegerField()),
                ("arr", models.DecimalField(decimal_places=4, max_digits=24)),
            ],
            options={"abstract": False},
        ),
        # A cache refilled by every pipeline run: not worth the write-ahead log.
        migrations.RunSQL(
            "ALTER TABLE metrics_previewrow SET UNLOGGED", "ALTER TABLE metrics_previewrow SET LOGGED"
        ),
    ]
