"""The organisers' side: accounts and roles, dashboard, registrations, check-in desk."""
