"""ApiRouter: the platform's router, whose response models describe bodies without changing them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter


class ApiRouter(APIRouter):
    """Every route sends exactly the keys its handler built: the response model validates and documents the
    body, and an optional field the handler left out stays out instead of being sent as null."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().add_api_route(path, endpoint, **kwargs)
