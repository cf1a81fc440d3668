from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "dangjian.ledgers"
    label = "ledgers"
    verbose_name = "台账导入导出"
