"""Keel's date formats (settings FORMAT_MODULE_PATH): the one place that says how a page writes a date."""
