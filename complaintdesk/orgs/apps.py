from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "complaintdesk.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from complaintdesk.common.configcache import config_watch

        from .selectors import CACHE_AREA

        config_watch(CACHE_AREA, "orgs.OrgUnit")
