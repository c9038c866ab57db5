from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "complaintdesk.tasks"
    label = "cd_tasks"
