"""Who may call what (route guards), CSRF, login throttling and response headers."""
