"""Security headers on every response: CSP, framing, nosniff, Referrer-Policy.

A pure ASGI middleware (not BaseHTTPMiddleware) so streamed downloads pass through untouched.
Our pages load scripts and styles from /static only; inline `style=""` attributes are allowed
(they cannot run code).  The API documentation pages (/docs, /redoc) are FastAPI's own, which
load Swagger UI / ReDoc from their CDN with an inline bootstrap script, so they get a policy of
their own.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# /docs serves Swagger UI from the package (services/kit/docs.py): nothing from a CDN; its page
# starts Swagger with one inline script, hence 'unsafe-inline' for scripts here and nowhere else
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
          (b"cross-origin-opener-policy", b"same-origin")]
# the desk shows a submission's original in an <iframe> of its own page: those may be framed by us
FRAMED_BY_US = ("/review/files/",)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CSP if path in ("/docs", "/redoc") else PAGE_CSP
        framing = b"SAMEORIGIN" if path.startswith(FRAMED_BY_US) else b"DENY"
        if framing == b"SAMEORIGIN":
            csp = csp.replace("frame-ancestors 'none'", "frame-ancestors 'self'")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {b"server", b"x-frame-options", *(name for name, _ in COMMON)}]
                # a route's own, stricter policy stays (the desk's inline originals: sandbox)
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", csp.encode()))
                message["headers"] = headers + COMMON + [(b"x-frame-options", framing)]
            await send(message)

        await self.app(scope, receive, with_headers)
