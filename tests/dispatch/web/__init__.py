"""Tests of the browser pages: sign-in, CSRF, role guards, the inspector page."""
