"""Projects and their settings, people and access, backup and restore."""
