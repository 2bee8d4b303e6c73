"""Reads of the health app, by feature: scores of a day, the backtest of a model."""

from health.selectors.backtest import Backtest, health_backtest
from health.selectors.scores import health_score_fields, health_scores_on

__all__ = ["Backtest", "health_backtest", "health_score_fields", "health_scores_on"]
