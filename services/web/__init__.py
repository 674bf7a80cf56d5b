"""The pages' templates (templates/, read by services/kit/templates.py) and static files (static/,
mounted at /static by services/app.py).  No code: each domain's pages live in its own folder."""
