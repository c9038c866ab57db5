"""Thin tasks around the WeChat channel's services."""

from django_tasks import task

from .services import wechat_image_attach


@task()
def wechat_image_attach_task(number: str, media_id: str, msg_id: str) -> str:
    """Queued after an image message was added to a case: fetch it from WeChat and attach it."""
    return wechat_image_attach(number=number, media_id=media_id, msg_id=msg_id)
