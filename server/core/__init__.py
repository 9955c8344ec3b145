"""The pure domain core: rules of an exercise, with no I/O.

Nothing in this package may import asyncio, redis, starlette, websockets, msgpack,
logging or read a clock: time and randomness come in as arguments
(`tests/core/test_purity.py` enforces this).
"""
