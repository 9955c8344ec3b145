"""Tests of the Python SDK (`clients.sdk`), against a scripted protocol peer."""
