from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # Registers the configurable parameters (common.settings_registry) at start-up.
        from dangjian.recruitment import params  # noqa: F401
