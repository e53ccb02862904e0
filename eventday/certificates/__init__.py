"""Certificates of attendance: issued after the day to checked-in attendees, checked by anyone."""
