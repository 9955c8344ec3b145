"""The Liaison Python SDK: an asyncio client for the protocol in `docs/protocol.md`.

```python
from clients.sdk import Client, Reset

async with Client("ws://localhost:8000/ws", code="ABCD-EFGH") as client:
    await client.command("message.post", text="hello")
    async for item in client.events():
        if isinstance(item, Reset):
            ...  # rebuild from item.snapshot
        else:
            ...  # apply item (an Event)
```

See `docs/sdk.md`. The SDK does not import the server: it relies on the protocol document only.
"""

from .backoff import ceiling as backoff_ceiling
from .backoff import delay as backoff_delay
from .client import Client, connect
from .errors import (
    CommandError,
    ConnectionClosed,
    LiaisonError,
    ProtocolViolation,
    TerminalError,
)
from .events import (
    ErrorFrame,
    ErrorInfo,
    Event,
    Item,
    Me,
    Mode,
    Position,
    Reply,
    Reset,
    ServerFrame,
    ServerInfo,
    Welcome,
)
from .frames import Subprotocol
from .history import EventPage, FeedItem, FeedPage, RequestPage
from .session import Anomaly, AnomalyKind
from .stream import EventStream

__all__ = [
    "Anomaly",
    "AnomalyKind",
    "Client",
    "CommandError",
    "ConnectionClosed",
    "ErrorFrame",
    "ErrorInfo",
    "Event",
    "EventPage",
    "EventStream",
    "FeedItem",
    "FeedPage",
    "Item",
    "LiaisonError",
    "Me",
    "Mode",
    "Position",
    "ProtocolViolation",
    "Reply",
    "RequestPage",
    "Reset",
    "ServerFrame",
    "ServerInfo",
    "Subprotocol",
    "TerminalError",
    "Welcome",
    "backoff_ceiling",
    "backoff_delay",
    "connect",
]
