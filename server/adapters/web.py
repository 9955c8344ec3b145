"""The web pages: the join page, the team station, the control console and the observer dashboard.

The pages are static files in `clients/web` (HTML, ES modules, CSS; no build step). They speak
only the documented protocol over `/ws`, like any other client. `SecurityHeaders` adds the
browser hardening headers to every HTTP response the application sends.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGES = {
    "/": "index.html",
    "/station": "station.html",
    "/console": "console.html",
    "/observer": "observer.html",
    "/debrief": "debrief.html",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # CSP Level 3: 'self' matches ws:/wss: of the page's own host (Chromium, Firefox, Safari).
        "connect-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


def web_folder() -> Path:
    """`clients/web`, found through `importlib.resources` (a checkout or an installed wheel)."""
    return Path(str(resources.files("clients"))) / "web"


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (not on WebSocket frames)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _page(file: str) -> Route:
    async def serve(request: Request) -> Response:
        return FileResponse(web_folder() / "pages" / file, headers={"Cache-Control": "no-cache"})

    path = next(path for path, name in PAGES.items() if name == file)
    return Route(path, serve, methods=["GET", "HEAD"], name=f"page:{file}")


routes = [
    *(_page(file) for file in PAGES.values()),
    Mount(
        "/assets",
        app=StaticFiles(directory=web_folder() / "assets", check_dir=False),
        name="assets",
    ),
]
