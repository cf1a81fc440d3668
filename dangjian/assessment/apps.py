from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        # Registers the configurable parameters (common.settings_registry) at start-up.
        from dangjian.assessment import params  # noqa: F401
