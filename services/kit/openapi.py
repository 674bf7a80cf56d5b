"""The OpenAPI document tells the truth about errors: every operation documents the error statuses
the app answers with, in the one error shape `{"error", "message", "detail"}` (ErrorOut) — a 422
included, whose body is ours, not FastAPI's default validation array.

Checked by tests/test_openapi_schemathesis.py, which has schemathesis call every operation.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

# what any operation may answer besides its own statuses, and why
COMMON_ERRORS = {
    400: "malformed request / 请求格式有误",
    401: "no login or an invalid API token / 未登录或令牌无效",
    403: "the account may not do this, or the CSRF token is missing / 无权操作",
    404: "not found, or not visible to this account / 找不到或无权查看",
    409: "the state does not allow it / 当前状态不允许",
    413: "over a size limit or quota / 超过大小限制",
    415: "wrong content type / 内容类型不对",
    422: "invalid input: what and where in `detail` / 输入有误",
    429: "too many attempts / 尝试过于频繁",
    503: "database or store unavailable, see Retry-After / 服务暂不可用",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def document_errors(app: FastAPI) -> None:
    """Replace `app.openapi` with one that documents COMMON_ERRORS on every operation."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description,
                          routes=app.routes, tags=app.openapi_tags)
        for methods in doc.get("paths", {}).values():
            for op in methods.values():
                responses = op.setdefault("responses", {})
                for status, text in COMMON_ERRORS.items():
                    known = responses.get(str(status), {})
                    responses[str(status)] = {"description": known.get("description") or text,
                                              "content": {"application/json": {"schema": ERROR_REF}}}
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
