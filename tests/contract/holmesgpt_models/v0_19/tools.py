# An excerpt of holmes/core/tools.py (see ../SOURCE.md): StructuredToolResultStatus and StructuredToolResult, verbatim.
import json
from enum import Enum
from typing import Any, Dict, List, Optional, Tuple

from pydantic import BaseModel, Field


class StructuredToolResultStatus(str, Enum):
    SUCCESS = "success"
    ERROR = "error"
    NO_DATA = "no_data"
    APPROVAL_REQUIRED = "approval_required"

    def to_color(self) -> str:
        if self == StructuredToolResultStatus.SUCCESS:
            return "green"
        elif self == StructuredToolResultStatus.ERROR:
            return "red"
        elif self == StructuredToolResultStatus.APPROVAL_REQUIRED:
            return "yellow"
        else:
            return "white"

    def to_emoji(self) -> str:
        if self == StructuredToolResultStatus.SUCCESS:
            return "✔"
        elif self == StructuredToolResultStatus.ERROR:
            return "❌"
        elif self == StructuredToolResultStatus.APPROVAL_REQUIRED:
            return "⚠️"
        else:
            return "⚪️"


class StructuredToolResult(BaseModel):
    schema_version: str = "robusta:v1.0.0"
    status: StructuredToolResultStatus
    error: Optional[str] = None
    return_code: Optional[int] = None
    data: Optional[Any] = None
    url: Optional[str] = None
    invocation: Optional[str] = None
    params: Optional[Dict] = None
    icon_url: Optional[str] = None
    
    def get_stringified_data(self) -> str:
        if self.data is None:
            return ""

        if isinstance(self.data, str):
            return self.data
        else:
            try:
                if isinstance(self.data, BaseModel):
                    return self.data.model_dump_json()
                else:
                    return json.dumps(
                        self.data, separators=(",", ":"), ensure_ascii=False
                    )
            except Exception:
                return str(self.data)
