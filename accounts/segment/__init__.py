"""The Segment-compatible tracking endpoint (DATA.md §3): write keys (`keys`), taking requests in (`ingest`),
and folding the accepted messages into usage, contacts and user-to-account links (`fold`)."""
