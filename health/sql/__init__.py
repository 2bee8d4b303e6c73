"""Raw SQL of the health scores (see metrics/sql for why raw)."""

from pathlib import Path

from metrics.sql import SqlFiles

files = SqlFiles(Path(__file__).resolve().parent)
