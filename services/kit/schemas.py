"""The text types every request body is held to, and the one error body, for validation and for
the OpenAPI page (/docs).  Each domain's own bodies are in its `schemas.py`."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

# control characters (NUL included) have no place in any text a person types here; tab and line
# breaks are allowed in long text only
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed / 不能包含控制字符")
    return value


def _one_line(value: str) -> str:
    if _CONTROL_LINE.search(value):
        raise ValueError("control characters are not allowed / 不能包含控制字符")
    return value


# the lengths every text input is held to (documented in the OpenAPI as maxLength)
NAME_MAX, NOTE_MAX, TEXT_MAX = 200, 2000, 20000
Ident = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_one_line)]
# a row's number: 64-bit in the database, so a larger one is a 422, not an overflow in the driver
MAX_ROW_ID = 2**62
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Name = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_one_line)]
Note = Annotated[str, Field(max_length=NOTE_MAX), AfterValidator(_no_control)]
LongText = Annotated[str, Field(max_length=TEXT_MAX), AfterValidator(_no_control)]


class ErrorOut(BaseModel):
    """Every error: code, 中文 message for the unit, English detail."""
    error: str = Field(description="machine-readable code / 错误代码, e.g. upload.too_large")
    message: str = Field(description="中文说明，可直接展示给申报单位 / Chinese, for the unit")
    detail: str = Field("", description="English detail for logs / 英文细节")
