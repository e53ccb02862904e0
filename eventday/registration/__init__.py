"""Registration by stakeholder type, the attendee's own page, capacity and waitlist."""
