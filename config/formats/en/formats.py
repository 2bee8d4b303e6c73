"""How every page writes dates and times: "31 Mar 2025", "Mar 2025", "31 Mar 2025 14:05" (in KEEL_TIMEZONE).

Templates write `{{ day|date }}`, `{{ month|date:"YEAR_MONTH_FORMAT" }}` and `{{ moment|date:"DATETIME_FORMAT" }}`;
Python text bound for a page uses `django.utils.formats.date_format` with the same names. Emails, CSV exports,
the API and `kpis` keep ISO dates (2025-03-31), written where they are made. Keel's settings set USE_I18N off and
LANGUAGE_CODE "en-us", whose own formats ("March 31, 2025") these replace.
"""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
