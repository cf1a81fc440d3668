from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    label = "supervision"
    verbose_name = "督办任务"

    def ready(self) -> None:
        # Registers the configurable parameters (common.settings_registry) at start-up.
        from dangjian.supervision import params  # noqa: F401
