"""Notifications: a person's inbox and whether it is also emailed."""
