"""No page or API answer of the service is kept by a browser or a shared cache: nearly every one
carries a child's or a referrer's personal data, and the few that do not (the start page, health
checks) cost nothing to fetch again. Static files never pass through here (WhiteNoise answers them
first, with their own long-lived caching)."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
