"""A submission's files as read, for the unit's pages and the reviewer's desk alike."""
