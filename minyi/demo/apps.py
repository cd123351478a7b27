from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models and no pages: the seed_demo command and the generators (see the package docstring)."""

    name = "minyi.demo"
