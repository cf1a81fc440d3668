from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        # Registers the configurable parameters (common.settings_registry) at start-up.
        from dangjian.orglife import params  # noqa: F401
