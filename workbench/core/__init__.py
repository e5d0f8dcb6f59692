"""The core every package uses: records (frozen dataclasses), the Workbench, config, access rules,
errors, logs."""
