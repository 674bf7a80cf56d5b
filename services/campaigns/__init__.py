"""Campaigns: the admin loading and reading campaign files, and the rules a campaign sets (recommenders,
schedules, reinspections, public lists) for people and scripts."""
