"""Drafts that learn: the project's vocabulary and rewrite rules, the held-out set, the adaptation
ladder, error by batch."""
