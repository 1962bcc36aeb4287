"""Connector stage: read articles from archives and feeds, produce them to ``articles``."""
