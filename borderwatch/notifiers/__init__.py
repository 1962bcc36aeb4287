"""Notifier stage: consume ``alerts`` and deliver them (console, JSONL file, Slack)."""
