"""The review: access rules, reviewer queues, the flow through a campaign's stages,
corrections, scores, opinions, public notices and objections, and the audit log."""
