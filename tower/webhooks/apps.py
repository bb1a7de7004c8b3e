from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "tower.webhooks"
    verbose_name = "Webhooks"
