from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    name = "tower.communications"
    verbose_name = "Communications"

    def ready(self) -> None:
        # A month close (tower.performance, below this app) freezes the notice KPIs' late lines
        # with the month's other records: the lines late as at the close and the first notice
        # that covered each, so a delivery or a notice after the close does not move the month.
        from tower.communications import records
        from tower.performance import frozen

        frozen.register(
            "late_lines", records.late_lines, ("period",), "the notice KPIs' late lines"
        )
