"""The health app's SQL files (accounts.sql says how they read and run): the scoring step of the pipeline, the
backtest and its rows, the at-risk alerts."""

from pathlib import Path

from accounts.sql import SqlFiles

files = SqlFiles(Path(__file__).resolve().parent)
