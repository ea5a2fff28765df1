"""The outlet node's own operations: backups of its database and restoring one."""
