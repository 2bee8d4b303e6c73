"""A realistic demo company (team, accounts, three years of history), loaded through the CSV bundle importer."""
