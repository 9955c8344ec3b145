"""Protocol v1: wire frames, their codec and the building of commands from them.

This is the only package that imports msgpack or json for frames. `docs/protocol.md` is
the contract; `tests/protocol/test_docs.py` keeps it complete.
"""
