"""Organiser accounts: who they are, their roles, signing in and out, their passwords."""
