"""The metrics app's SQL files (accounts.sql says how they read and run): the pipeline's steps, one file each."""

from pathlib import Path

from accounts.sql import SqlFiles

files = SqlFiles(Path(__file__).resolve().parent)
