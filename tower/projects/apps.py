from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "tower.projects"
    verbose_name = "Client projects"
