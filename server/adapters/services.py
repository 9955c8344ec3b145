"""The services of one running instance, shared by the endpoint and the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.adapters.credentials import Credentials
from server.adapters.hubs import Hubs
from server.adapters.store import Store
from server.settings import Settings


@dataclass(eq=False)
class Services:
    settings: Settings
    store: Store
    hubs: Hubs
    admin_token: str
    accepting: bool = True
    """False from the moment the instance starts to stop (`/readyz` then answers 503)."""
    _credentials: Credentials | None = field(default=None, repr=False)

    async def credentials(self) -> Credentials:
        """Credentials keyed by the server-wide secret; StoreUnavailable until Redis answers."""
        if self._credentials is None:
            self._credentials = Credentials(await self.store.secret())
        return self._credentials
