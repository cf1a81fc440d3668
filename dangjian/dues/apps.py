from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from dangjian.dues import parameters  # noqa: F401  (registers the configurable parameters)
