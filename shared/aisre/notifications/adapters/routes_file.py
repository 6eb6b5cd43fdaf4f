"""The routes file: the built-in defaults (notifications/routes.yaml), then NOTIFICATION_ROUTES_FILE's over them,
read with yaml.safe_load; a file that cannot be read or holds a bad key is a RoutesFileError naming it."""

from __future__ import annotations

from pathlib import Path

import yaml

from aisre.notifications.errors import RoutesFileError
from aisre.notifications.model.routes_document import routes_from_document
from aisre.notifications.model.routing import DefaultRoutes

BUILTIN_ROUTES = Path(__file__).resolve().parent.parent / "routes.yaml"


def load_routes(path: str | None = None, builtin: Path = BUILTIN_ROUTES) -> DefaultRoutes:
    """The built-in routes, with the file at `path` (when given) read over them."""
    routes = routes_from_document(_read(builtin), str(builtin))
    if path:
        routes = routes_from_document(_read(Path(path)), path, base=routes)
    return routes


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = f"{path}: cannot read the routes file ({error})"
        raise RoutesFileError(message, field="NOTIFICATION_ROUTES_FILE") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RoutesFileError(f"{path}: not YAML ({error})", field="NOTIFICATION_ROUTES_FILE") from None
