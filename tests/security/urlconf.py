"""Walk the URL configuration: every route, classified as an API view (DRF), an admin page or a plain page."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

WRITE_METHODS = ("post", "put", "patch", "delete")
HTTP_METHODS = ("get", *WRITE_METHODS)


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern, e.g. "api/v1/^findings/(?P<pk>[^/.]+)/decide/$"
    callback: object
    name: str | None
    namespace: str | None

    @property
    def is_api(self) -> bool:
        cls = getattr(self.callback, "cls", None)
        return isinstance(cls, type) and issubclass(cls, APIView)

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"

    @property
    def key(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else (self.name or self.route)

    def methods(self) -> list[str]:
        """The HTTP methods the view answers (the router's mapping, narrowed by ``http_method_names``)."""
        cls = self.callback.cls
        actions = getattr(self.callback, "actions", None)
        names = self.callback.initkwargs.get("http_method_names", cls.http_method_names)
        offered = actions.keys() if actions else [m for m in HTTP_METHODS if hasattr(cls, m)]
        return [m for m in HTTP_METHODS if m in offered and m in names]

    def declared_methods(self) -> list[str]:
        """Every method the route maps to a handler, before ``http_method_names`` narrows it."""
        actions = getattr(self.callback, "actions", None)
        cls = self.callback.cls
        return [m for m in HTTP_METHODS if (m in actions if actions else hasattr(cls, m))]

    def path(self, **values) -> str:
        """A concrete path: each captured parameter replaced by ``values[name]``."""

        def value(name):
            if name not in values:
                raise KeyError(f"{self.route}: no value for the URL parameter {name!r}")
            return str(values[name])

        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), self.route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
        return "/" + path.replace("^", "").replace("$", "").replace("\\", "")

    def view_for(self, method: str, user=None):
        """The view instance as DRF builds it for ``method``, to read its permission rule."""
        cls = self.callback.cls
        view = cls(**self.callback.initkwargs)
        actions = getattr(self.callback, "actions", None)
        if actions:
            view.action_map = actions
            view.action = actions.get(method)
        request = Request(APIRequestFactory().generic(method.upper(), "/"))
        request.user = user or AnonymousUser()
        view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
        return view, request


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), entry.callback, entry.name, namespace)


def routes() -> list[Route]:
    """Every route once; the routers' ``.json`` format-suffix twins of a route are the same view."""
    return [r for r in _walk(get_resolver().url_patterns) if not re.search(r"\(\?P<format>|<\w+:format>", r.route)]


def api_routes() -> list[Route]:
    return [r for r in routes() if r.is_api]


def page_routes() -> list[Route]:
    return [r for r in routes() if not r.is_api and not r.is_admin]


def admin_routes() -> list[Route]:
    return [r for r in routes() if r.is_admin]
