"""Clients of the Liaison server: the Python SDK (`clients.sdk`) and the web pages (`clients/web`).

Nothing here imports the `server` package: clients depend on `docs/protocol.md` only.
"""
