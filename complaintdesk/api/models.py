from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The first response to a POST sent with `Idempotency-Key`, per authenticated principal.

    The row is inserted before the work, in the same transaction as the work, and holds the response
    when that transaction commits. A concurrent retry's insert waits on the unique index until the first
    commits (then it replays the stored response) or rolls back (then it does the work itself), so one
    key never does the work twice. Failed requests roll the row back with everything else: a retry of
    a refused request runs again.
    """

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (principal, key) serves its lookups
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64, help_text=_("方法、路径与请求体的 SHA-256"))
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(default=b"")
    response_content_type = models.CharField(max_length=100, blank=True)
    response_location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="api_idempotency_principal_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.principal_id}:{self.key}"
