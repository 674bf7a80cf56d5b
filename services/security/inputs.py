"""Control characters (NUL included) in a request's path or query string are refused with a 422.

Ids and filters reach SQL; PostgreSQL refuses a NUL in a string with an error that would be a 500,
so the request is answered here, before the auth middleware looks anything up, in the API's one
error shape.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
BODY = json.dumps({"error": "request.invalid", "message": "请求中含有不允许的控制字符，请检查链接或筛选条件。",
                   "detail": "control character in the path or the query string"}, ensure_ascii=False).encode()


class RefuseControlCharacters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (CONTROL.search(scope.get("path", "").encode("utf-8", "surrogateescape"))
                                        or CONTROL.search(unquote_to_bytes(scope.get("query_string", b"")))):
            await send({"type": "http.response.start", "status": 422,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(BODY)).encode())]})
            await send({"type": "http.response.body", "body": BODY})
            return
        await self.app(scope, receive, send)
