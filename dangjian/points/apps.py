from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "dangjian.points"
    label = "points"
    verbose_name = "党员积分与评星定级"
