from django.apps import AppConfig


class MashConfig(AppConfig):
    name = "mash"
    verbose_name = "MASH core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import converters  # the URL converters are registered before any URLconf is read

        converters.register()
