"""A JSON serialisation format (``exactjson``) that keeps datetimes to the microsecond.

Django's JSON encoder cuts datetimes to milliseconds, so a backup restored from it is not the
database it was taken from — and a time under a millisecond past the second even serialises
differently before (``.000``) and after (no fraction) the round trip. Backups (TEL-5) write this
format; it reads back with Django's own ``json`` deserializer (the text is ISO 8601 either way).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers import json as django_json

FORMAT = "exactjson"


class ExactJSONEncoder(django_json.DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = django_json.Deserializer
