"""The task a service queues again, named by its app's `AppConfig.ready()`.

An app's `tasks.py` imports its services (the task is a thin wrapper around one); a service that queues
that task (a delivery retrying itself, an image fetched after the message was stored) cannot import the
task module back without a cycle. It holds a `TaskSlot` instead, and `apps.py` fills it:

    # notifications/services.py
    DELIVERY_TASK = TaskSlot("notifications.tasks.deliver_notification")
    ...
    DELIVERY_TASK.get().enqueue(notification_id)

    # notifications/apps.py, ready()
    services.DELIVERY_TASK.register(tasks.deliver_notification)
"""

from typing import Any


class TaskSlot:
    def __init__(self, name: str) -> None:
        self.name = name
        self._task: Any = None

    def register(self, task: Any) -> None:
        self._task = task

    def get(self) -> Any:
        if self._task is None:
            raise RuntimeError(f"the task {self.name} is not registered (its app's ready() registers it)")
        return self._task
