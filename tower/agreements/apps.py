from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    """What a client and the CMO agreed: definitions, targets, terms, penalties."""

    name = "tower.agreements"
