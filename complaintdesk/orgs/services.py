"""Writes to the organisation tree. Paths are derived here and only here."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from complaintdesk.common.errors import InvalidInput

from .models import OrgUnit, UnitKind

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _path_for(*, code: str, parent: OrgUnit | None) -> tuple[str, int]:
    if parent is None:
        return f"/{code}/", 0
    return f"{parent.path}{code}/", parent.depth + 1


@transaction.atomic
def orgunit_create(
    *, code: str, name: str, kind: str, parent: OrgUnit | None = None, name_en: str = ""
) -> OrgUnit:
    errors: dict[str, list[str]] = {}
    if not CODE_PATTERN.match(code or ""):
        errors["code"] = [_("编码只能包含字母、数字、下划线和连字符，最长 32 位")]
    elif OrgUnit.objects.filter(code=code).exists():
        errors["code"] = [_("编码已存在")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("未知的机构类型")]
    if not (name or "").strip():
        errors["name"] = [_("名称不能为空")]
    if errors:
        raise InvalidInput(errors)
    path, depth = _path_for(code=code, parent=parent)
    return OrgUnit.objects.create(
        code=code, name=name.strip(), name_en=name_en, kind=kind, parent=parent, path=path, depth=depth
    )


@transaction.atomic
def orgunit_move(*, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Re-parent a unit and rewrite the paths of its whole subtree."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise InvalidInput({"parent": [_("不能把机构移动到它自己的下级")]})
    old_path = unit.path
    new_path, new_depth = _path_for(code=unit.code, parent=new_parent)
    delta = new_depth - unit.depth
    for node in OrgUnit.objects.select_for_update().filter(path__startswith=old_path):
        node.path = new_path + node.path[len(old_path) :]
        node.depth += delta
        if node.pk == unit.pk:
            node.parent = new_parent
        node.save(update_fields=["path", "depth", "parent"])
    unit.refresh_from_db()
    return unit
