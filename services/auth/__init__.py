"""Accounts, passwords, server-side sessions, CSRF and API tokens."""
