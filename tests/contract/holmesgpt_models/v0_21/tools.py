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

    def stringify_data(self, compact: bool = True) -> Tuple[str, bool]:
        """Serialize the data field to a string.

        Args:
            compact: If True, produce minified JSON (saves tokens).
                     If False, produce pretty-printed JSON (readable for grep/head/tail).

        Returns:
            A tuple of (stringified_data, is_json).
        """
        if self.data is None:
            return "", False

        if isinstance(self.data, str):
            return self.data, False

        try:
            if isinstance(self.data, BaseModel):
                return self.data.model_dump_json(indent=None if compact else 2), True
            else:
                if compact:
                    return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False), True
                else:
                    return json.dumps(self.data, indent=2, ensure_ascii=False), True
        except Exception:
            return str(self.data), False

    def get_stringified_data(self) -> str:
        text, _ = self.stringify_data(compact=True)
        return text
