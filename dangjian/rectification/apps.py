from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dangjian.rectification"
    label = "rectification"
    verbose_name = "软弱涣散整顿"

    def ready(self) -> None:
        # Registers the configurable parameters (common.settings_registry) at start-up.
        from dangjian.rectification import params  # noqa: F401
