"""Editions over the years: each one's life (draft → current → archived) and its settings."""
