"""The check-in desk: scans, the roster a desk keeps offline, session attendance."""
