"""Static files storage: whitenoise's compressed, hashed files, tolerant of missing source maps.

Vendor bundles from npm end with ``//# sourceMappingURL=….map`` comments; we do not ship the maps,
and Django's manifest storage would refuse to collect a file that points at a missing one. A
reference to a file that is not there is left as written (the browser only asks for source maps
when its developer tools are open); every reference that resolves is hashed as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """``CompressedManifestStaticFilesStorage`` that leaves references to missing files untouched."""

    def url_converter(self, *args: Any, **kwargs: Any) -> Callable[[re.Match[str]], str]:
        convert = super().url_converter(*args, **kwargs)

        def converter(matchobj: re.Match[str]) -> str:
            try:
                return convert(matchobj)
            except ValueError:
                return matchobj.group("matched")

        return converter
