"""The rules of a health score as SQL functions, the one place they are written (METRICS.md "Health score"):
the pipeline's scoring (health/sql/health_scores.sql), the backtest and the Health page's preview all call them,
so a re-weighted score is the stored one to the last bit.

- keel_health_present: the components present, bit 1 << i for COMPONENTS[i] (activity, adoption, sentiment,
  support, revenue, recency);
- keel_health_score: Σ wᵢ·sᵢ / Σ wᵢ over the components that are not null; the denominators of the 64 sets of
  components present come from HealthModel.denominators();
- keel_health_at_least, keel_health_status, keel_health_dropped, keel_health_at_risk: status and the drop rule
  on the score rounded to 4 decimals, half up. Rounding moves a score by at most 0.00005, so a score more than
  0.001 from a bound compares the same unrounded, and only the few near one are rounded (numeric is slow).

They are `LANGUAGE sql IMMUTABLE` one-expression functions, which PostgreSQL inlines into the statement that calls
them: they cost what the written-out expression costs. Task reasons become data (health.reasons); the caches of
the Health page are filled by the pipeline now, the preview's rows as metrics.PreviewRow.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION keel_health_present(
    activity float8, adoption float8, sentiment float8, support float8, revenue float8, recency float8
) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN activity IS NULL THEN 0 ELSE 1 END) + (CASE WHEN adoption IS NULL THEN 0 ELSE 2 END)
         + (CASE WHEN sentiment IS NULL THEN 0 ELSE 4 END) + (CASE WHEN support IS NULL THEN 0 ELSE 8 END)
         + (CASE WHEN revenue IS NULL THEN 0 ELSE 16 END) + (CASE WHEN recency IS NULL THEN 0 ELSE 32 END)
$$;

CREATE OR REPLACE FUNCTION keel_health_score(
    activity float8, adoption float8, sentiment float8, support float8, revenue float8, recency float8,
    weights float8[], denominators float8[]
) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (COALESCE(weights[1] * activity, 0) + COALESCE(weights[2] * adoption, 0)
            + COALESCE(weights[3] * sentiment, 0) + COALESCE(weights[4] * support, 0)
            + COALESCE(weights[5] * revenue, 0) + COALESCE(weights[6] * recency, 0))
           / denominators[keel_health_present(activity, adoption, sentiment, support, revenue, recency) + 1]
$$;

CREATE OR REPLACE FUNCTION keel_health_at_least(score float8, bound float8)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN score >= bound + 0.001 THEN true
                WHEN score < bound - 0.001 THEN false
                ELSE round(score::numeric, 4) >= bound::numeric END
$$;

CREATE OR REPLACE FUNCTION keel_health_status(score float8, green_min float8, yellow_min float8)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN score IS NULL THEN NULL
                WHEN keel_health_at_least(score, green_min) THEN 'green'
                WHEN keel_health_at_least(score, yellow_min) THEN 'yellow'
                ELSE 'red' END
$$;

CREATE OR REPLACE FUNCTION keel_health_dropped(score float8, before float8, drop_points float8)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN score IS NULL OR before IS NULL THEN false
                WHEN score - before <= -drop_points - 0.001 THEN true
                WHEN score - before > -drop_points + 0.001 THEN false
                ELSE round(score::numeric, 4) <= round(before::numeric, 4) - drop_points::numeric END
$$;

CREATE OR REPLACE FUNCTION keel_health_at_risk(score float8, before float8, yellow_min float8, drop_points float8)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT keel_health_at_least(score, yellow_min) OR keel_health_dropped(score, before, drop_points)
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS keel_health_at_risk(float8, float8, float8, float8);
DROP FUNCTION IF EXISTS keel_health_dropped(float8, float8, float8);
DROP FUNCTION IF EXISTS keel_health_status(float8, float8, float8);
DROP FUNCTION IF EXISTS keel_health_at_least(float8, float8);
DROP FUNCTION IF EXISTS keel_health_score(float8, float8, float8, float8, float8, float8, float8[], float8[]);
DROP FUNCTION IF EXISTS keel_health_present(float8, float8, float8, float8, float8, float8);
"""


def reasons_to_data(apps, schema_editor):
    Task = apps.get_model("health", "Task")
    for task in Task.objects.exclude(reason=""):
        task.reason_data = {"kind": "text", "text": task.reason}
        task.save(update_fields=["reason_data"])


def reasons_to_text(apps, schema_editor):
    from health.reasons import reason_text

    Task = apps.get_model("health", "Task")
    for task in Task.objects.all():
        task.reason = reason_text(task.reason_data)
        task.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("health", "0004_cached_component_rows")]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        migrations.AddField(
            model_name="task",
            name="reason_data",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(reasons_to_data, reasons_to_text),
        migrations.RemoveField(model_name="task", name="reason"),
        migrations.RenameField(model_name="task", old_name="reason_data", new_name="reason"),
        migrations.AlterField(
            model_name="task",
            name="reason",
            field=models.JSONField(
                blank=True, default=dict, help_text="Why, as data (health.reasons); words: reason_text"
            ),
        ),
        migrations.DeleteModel(name="CachedDay"),
        migrations.DeleteModel(name="PreviewRow"),
        migrations.RemoveField(model_name="backtestrow", name="present"),
    ]
