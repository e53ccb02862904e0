"""Attendee badges: the QR code that the check-in desk scans and the printable PDF."""
