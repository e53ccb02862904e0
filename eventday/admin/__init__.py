"""The organisers' side: dashboard, registrations, check-in desk."""
