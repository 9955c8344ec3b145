"""Adapters: the thin I/O shells (Redis, WebSocket, HTTP, processes) around the pure core."""
