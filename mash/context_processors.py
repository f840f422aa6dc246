from django.conf import settings

from .navigation import items_for


def service(request) -> dict:
    return {"service_name": settings.SERVICE_NAME, "staff_navigation": items_for(request.user)}
