"""Every error class the platform raises on purpose maps to one HTTP status, in one place (core/http/errors.py);
none falls through to 500."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import aisre
from aisre.core.errors import AisreError
from aisre.core.http.errors import status_for


def error_classes() -> list[type[AisreError]]:
    """Every AisreError subclass defined in an errors module of the package."""
    found: list[type[AisreError]] = []
    for module_info in pkgutil.walk_packages(aisre.__path__, "aisre."):
        if not module_info.name.endswith(".errors") or ".local" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, AisreError) and value is not AisreError and value.__module__ == module.__name__:
                found.append(value)
    return found


def test_error_classes_live_in_errors_modules_only() -> None:
    defined_elsewhere = []
    for module_info in pkgutil.walk_packages(aisre.__path__, "aisre."):
        if module_info.name.endswith(".errors") or module_info.name.startswith("aisre.local"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, AisreError) and value.__module__ == module.__name__:
                defined_elsewhere.append(f"{module.__name__}.{name}")
    assert defined_elsewhere == []


@pytest.mark.parametrize("error_class", error_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_error_class_has_a_status_other_than_500(error_class: type[AisreError]) -> None:
    assert status_for(error_class("x")) != 500


def test_outside_dependencies_failing_are_502() -> None:
    from aisre.investigations.errors import EmbeddingError, LLMError, VectorIndexError

    assert {status_for(cls("down")) for cls in (LLMError, EmbeddingError, VectorIndexError)} == {502}
