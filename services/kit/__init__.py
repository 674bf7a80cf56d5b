"""What every domain's pages and endpoints share: errors, dependencies, the one template environment,
render helpers.  It imports no domain (an import-linter contract in pyproject.toml says so)."""
