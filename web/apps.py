from django.apps import AppConfig


class WebConfig(AppConfig):
    """The site as a whole: the URLconf, the home and health pages and the demo council's commands. It
    stands above every other app, so that none of them needs to import another's views."""

    name = "web"
    verbose_name = "The site"
