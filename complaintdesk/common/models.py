from django.db import models


class ConfigVersion(models.Model):
    """One row per kind of configuration that processes cache (`common.configcache`): its token
    changes, in the same transaction, whenever a row of that configuration is written or deleted."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
