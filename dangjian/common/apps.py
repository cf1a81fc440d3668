from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "dangjian.common"
    label = "common"
    verbose_name = "公共"
