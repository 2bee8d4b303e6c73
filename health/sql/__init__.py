"""Raw SQL of the health scores (see metrics/sql for why raw), and the re-weighting of cached components that the
Health page's preview and the backtest share."""

from pathlib import Path

from health.models import COMPONENTS
from metrics.sql import SqlFiles

files = SqlFiles(Path(__file__).resolve().parent)


def denominators(prefix: str = "") -> str:
    """SQL: a float8[] of the 64 denominators of the score, one per `present` mask (at mask + 1): the weights
    %(<prefix>w_…)s of the components present, summed as health_scores.sql sums them (numeric, then cast for the
    division), null when 0. Uncorrelated, so PostgreSQL computes it once per query instead of once per row."""
    terms = " + ".join(
        f"CASE WHEN m & {1 << i} = 0 THEN 0 ELSE %({prefix}w_{name})s END"
        for i, name in enumerate(COMPONENTS)
    )
    return f"(SELECT array_agg(NULLIF({terms}, 0)::float8 ORDER BY m) FROM generate_series(0, 63) AS m)"


def reweighted_score(row: str, prefix: str = "") -> str:
    """SQL: the unrounded score of METRICS.md from the cached components of `row` with the weights
    %(<prefix>w_…)s: health_scores.sql's formula to the last bit (Σ weight × component over the weights of the
    components present), with the denominator looked up by `row.present` instead of summed per row."""
    products = " + ".join(f"COALESCE(%({prefix}w_{name})s * {row}.{name}, 0)" for name in COMPONENTS)
    return f"(({products}) / {denominators(prefix)}[{row}.present + 1])"
