"""The REST API of the raw facts (DATA.md §2), one module per resource: accounts, contacts, subscriptions,
tickets, survey responses, usage; `base` and `resources` hold what they share, `tokens` the API tokens'
authentication, `urls` the router. Every write goes through the bundle importer (accounts.importers.records)."""
