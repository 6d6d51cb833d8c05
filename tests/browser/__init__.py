"""Tests that drive real pages in Debian's Chromium (Playwright); skipped when it is missing."""
