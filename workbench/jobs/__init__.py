"""Long work as jobs: their lifecycle (start, cancel, fail), the worker and its heartbeat, what a
killed process leaves, failures of the machine."""
