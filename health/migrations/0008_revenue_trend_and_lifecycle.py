"""The revenue trend, a seventh component, and the lifecycle stage (METRICS.md "Health score", "Lifecycle stage").

- keel_health_present and keel_health_score take seven components (bit 64: revenue_trend, 128 sets of components
  present, HealthModel.denominators()); the six-component functions go. A weight of 0 adds 0 to the sum and
  nothing to any denominator, so every score of the other components stays the same to the last bit.
- keel_account_stage: onboarding, adopting, mature, churned or null on a day, from the ARR that day and the first
  day the account had MRR; the days come from settings (HealthModel.sql_params / health.models.stage_params).
- Every existing version gets revenue_trend weight 0 and onboarding_rules 0 (scores unchanged), and a new
  inactive version holds Keel's recommended model (revenue trend weight 10, onboarding rules on).
"""

from django.db import migrations, models

# Frozen here: later changes of the defaults make new versions.
DEFAULT_WEIGHTS = {
    "activity": 30,
    "adoption": 15,
    "sentiment": 20,
    "support": 15,
    "revenue": 10,
    "recency": 10,
}
DEFAULT_PARAMETERS = {
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
NEW_PARAMETERS = {"revenue_trend_days": 90, "revenue_trend_penalty": 200, "onboarding_rules": 0}
RECOMMENDED_NOTE = "Keel's recommended model: revenue trend (weight 10) and onboarding rules"

FUNCTIONS = """
DROP FUNCTION IF EXISTS keel_health_score(float8, float8, float8, float8, float8, float8, float8[], float8[]);
DROP FUNCTION IF EXISTS keel_health_present(float8, float8, float8, float8, float8, float8);

CREATE OR REPLACE FUNCTION keel_health_present(
    activity float8, adoption float8, sentiment float8, support float8, revenue float8, recency float8,
    revenue_trend float8
) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN activity IS NULL THEN 0 ELSE 1 END) + (CASE WHEN adoption IS NULL THEN 0 ELSE 2 END)
         + (CASE WHEN sentiment IS NULL THEN 0 ELSE 4 END) + (CASE WHEN support IS NULL THEN 0 ELSE 8 END)
         + (CASE WHEN revenue IS NULL THEN 0 ELSE 16 END) + (CASE WHEN recency IS NULL THEN 0 ELSE 32 END)
         + (CASE WHEN revenue_trend IS NULL THEN 0 ELSE 64 END)
$$;

CREATE OR REPLACE FUNCTION keel_health_score(
    activity float8, adoption float8, sentiment float8, support float8, revenue float8, recency float8,
    revenue_trend float8, weights float8[], denominators float8[]
) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (COALESCE(weights[1] * activity, 0) + COALESCE(weights[2] * adoption, 0)
            + COALESCE(weights[3] * sentiment, 0) + COALESCE(weights[4] * support, 0)
            + COALESCE(weights[5] * revenue, 0) + COALESCE(weights[6] * recency, 0)
            + COALESCE(weights[7] * revenue_trend, 0))
           / denominators[keel_health_present(activity, adoption, sentiment, support, revenue, recency,
                                              revenue_trend) + 1]
$$;

CREATE OR REPLACE FUNCTION keel_account_stage(
    arr numeric, first_paid date, day date, onboarding_days int, mature_days int
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN first_paid IS NULL OR first_paid > day THEN NULL
                WHEN arr > 0 AND day - first_paid < onboarding_days THEN 'onboarding'
                WHEN arr > 0 AND day - first_paid < mature_days THEN 'adopting'
                WHEN arr > 0 THEN 'mature'
                WHEN first_paid < day THEN 'churned' END
$$;
"""

# health 0005's six-component functions.
REVERSE_FUNCTIONS = """
DROP FUNCTION IF EXISTS keel_account_stage(numeric, date, date, int, int);
DROP FUNCTION IF EXISTS keel_health_score(float8, float8, float8, float8, float8, float8, float8, float8[], float8[]);
DROP FUNCTION IF EXISTS keel_health_present(float8, float8, float8, float8, float8, float8, float8);

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
"""


def add_versions(apps, schema_editor):
    HealthModel = apps.get_model("health", "HealthModel")
    last = 0
    for model in HealthModel.objects.all():
        model.weights = {**model.weights, "revenue_trend": model.weights.get("revenue_trend", 0)}
        model.parameters = {**NEW_PARAMETERS, **model.parameters}
        model.save(update_fields=["weights", "parameters"])
        last = max(last, model.version)
    HealthModel.objects.create(
        version=last + 1,
        is_active=False,
        note=RECOMMENDED_NOTE,
        changes=["Revenue trend weight: 0 → 10", "Onboarding rules: 0 → 1 (on)"],
        weights={**DEFAULT_WEIGHTS, "revenue_trend": 10},
        parameters={**DEFAULT_PARAMETERS, **NEW_PARAMETERS, "onboarding_rules": 1},
        green_min=70,
        yellow_min=40,
        drop_points=15,
        drop_days=30,
    )


def remove_versions(apps, schema_editor):
    """Back to six components: the recommended version goes when it was never activated (an active one has
    scores made with it, which keep it), and the new keys leave the others."""
    HealthModel = apps.get_model("health", "HealthModel")
    HealthModel.objects.filter(note=RECOMMENDED_NOTE, is_active=False).delete()
    for model in HealthModel.objects.all():
        model.weights = {k: v for k, v in model.weights.items() if k != "revenue_trend"}
        model.parameters = {k: v for k, v in model.parameters.items() if k not in NEW_PARAMETERS}
        model.save(update_fields=["weights", "parameters"])


class Migration(migrations.Migration):
    dependencies = [("health", "0007_manual_tasks")]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=REVERSE_FUNCTIONS),
        migrations.AddField(
            model_name="backtestrow", name="revenue_trend", field=models.FloatField(null=True)
        ),
        migrations.RunPython(add_versions, remove_versions),
    ]
