"""The CSV bundle importer (DATA.md §1): `bundle_import` and what it returns.

reader: folders, zips and CSV records with physical line numbers · fields: parsers of one value (shared with the
API) · specs: the files, their columns and in-row rules · staging: rows parsed and COPYed into TEMP tables ·
rules: set-based checks across rows, files and Keel's data · writer: set-based upserts · usage: the big file's
own path · queries: their SQL text, names through psycopg.sql · report: the problem lines and counts · progress:
how far a running import has read · service: all of it in one transaction · uploads: the Data page's bundles,
imported by a Celery task.
"""

from accounts.importers.report import FileCounts
from accounts.importers.service import ImportResult, bundle_import

__all__ = ["FileCounts", "ImportResult", "bundle_import"]
