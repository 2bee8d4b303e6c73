"""keel_term_months (accounts 0016) by date_part, whose float8 is exact for years and months, instead of extract,
whose numeric made the renewal forecast's 12 months × every yearly or quarterly span cost 0.23 s at 20,000
accounts (0.16 s now). The same months for every date."""

from django.db import migrations

BY_DATE_PART = """
CREATE OR REPLACE FUNCTION keel_term_months(anchor date, month date)
RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((date_part('year', month) - date_part('year', anchor)) * 12
            + date_part('month', month) - date_part('month', anchor))::int
$$;
"""

BY_EXTRACT = """
CREATE OR REPLACE FUNCTION keel_term_months(anchor date, month date)
RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((extract(year FROM month) - extract(year FROM anchor)) * 12
            + extract(month FROM month) - extract(month FROM anchor))::int
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0020_fk_indexes_led_by_composites"),
    ]

    operations = [migrations.RunSQL(BY_DATE_PART, reverse_sql=BY_EXTRACT)]
