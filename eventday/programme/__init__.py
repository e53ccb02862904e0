"""The edition and its programme: rooms, tracks, speakers, sessions, calendars."""
