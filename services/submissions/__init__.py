"""Submissions: a unit's files received, stored, checked and shown (service, endpoints, pages)."""
