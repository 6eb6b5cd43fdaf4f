"""The console's parts (core/scope.py): its files, read from the package on first ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisre.core.scope import Scope

if TYPE_CHECKING:
    from aisre.console.adapters.package_files import PackageAssets


def console_assets(scope: Scope) -> PackageAssets:
    from aisre.console.adapters.package_files import PackageAssets

    return PackageAssets()


def live_events_url(scope: Scope) -> str | None:
    """LIVE_EVENTS_URL when it parses as a ws(s)/http(s) origin; None: the page uses its own origin's /ws."""
    from aisre.console.model.assets import live_source

    url = scope.settings.live_events_url.strip()
    return url if live_source(url) else None
