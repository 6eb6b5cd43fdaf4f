"""The console's files read from the installed package (static/), once per process, by asset path only."""

from __future__ import annotations

import threading
from importlib import resources

from aisre.console.model.assets import Asset, asset_path, make_asset

INDEX = "index.html"


class PackageAssets:
    """Assets from `aisre.console`'s static/ folder. A path is first checked by `asset_path` (no traversal, a
    known type), then looked up among the folder's files, never joined onto a filesystem path."""

    def __init__(self, package: str = "aisre.console", folder: str = "static"):
        self._root = resources.files(package).joinpath(folder)
        self._cache: dict[str, Asset | None] = {}
        self._lock = threading.Lock()

    def get(self, requested: str) -> Asset | None:
        path = asset_path(requested)
        if path is None:
            return None
        with self._lock:
            if path not in self._cache:
                self._cache[path] = self._read(path)
            return self._cache[path]

    def _read(self, path: str) -> Asset | None:
        node = self._root
        for part in path.split("/"):
            node = node.joinpath(part)
        if not node.is_file():
            return None
        return make_asset(path, node.read_bytes())
