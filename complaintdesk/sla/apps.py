from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "complaintdesk.sla"
    label = "sla"
    verbose_name = _("时限策略")

    def ready(self) -> None:
        from complaintdesk.common.configcache import config_watch

        from .selectors import CACHE_AREA

        # The cached policy resolution (selectors.sla_policy_for) depends on the policies and on the
        # unit tree (a policy applies to a unit's descendants by path).
        config_watch(CACHE_AREA, "sla.SlaPolicy", "orgs.OrgUnit")
