"""Markers come from the folder a test lives in; shared fixtures from ``tests.support``."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.support.fixtures"]

_KIND_MARKERS = {"integration": ("e2e",), "faults": ("e2e", "faults")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for folder, markers in _KIND_MARKERS.items():
            if f"/tests/{folder}/" in str(item.path):
                for name in markers:
                    item.add_marker(name)
