"""Shared pytest configuration for the whole test suite."""

pytest_plugins = ["kube_emulator.pytest_plugin", "tmp_guard"]
