"""Liaison's test suite.

Being a package makes pytest put the project root on sys.path: `from tests.support import ...`.
"""
