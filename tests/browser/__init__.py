"""Tests in a real browser (Chromium) against a real server."""
