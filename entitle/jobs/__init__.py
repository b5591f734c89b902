"""Scheduled jobs: run by the server on a timer and by `entitle jobs run`."""
