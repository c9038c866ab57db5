"""Reading a classification scheme from CSV. `parse_scheme_csv` is pure: every row is checked before
anything is written, and a bad file gives every problem with its line number.

The file (UTF-8, with or without BOM; GB18030 as Excel saves it in Chinese Windows also works) has a header
row; `dimension`, `dimension_name`, `code` and `name` are required columns, `parent`, `name_en`,
`dimension_name_en` and `keywords` optional:

    dimension,dimension_name,dimension_name_en,code,parent,name,name_en,keywords
    A,业务办理渠道,Business channel,A01,,前台业务,Front office,
    A,业务办理渠道,Business channel,A0101,A01,营业现场,At the branch,柜台;网点

A parent is named by its code and must come on an earlier line of the same dimension.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

REQUIRED_COLUMNS = ("dimension", "dimension_name", "code", "name")
OPTIONAL_COLUMNS = ("dimension_name_en", "parent", "name_en", "keywords")
MAX_ROWS = 20000
MAX_ERRORS = 50
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_DIMENSION = re.compile(r"^[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True)
class CodeRow:
    line: int
    dimension: str
    code: str
    parent: str
    name: str
    name_en: str
    keywords: str
    level: int


@dataclass
class DimensionRow:
    code: str
    name: str
    name_en: str
    order: int
    codes: list[CodeRow] = field(default_factory=list)


class SchemeCsvError(ValueError):
    """The file cannot be imported; `problems` are (line number, message) pairs, line 0 for the file."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("\n".join(problem_text(line, message) for line, message in problems))


def problem_text(line: int, message: str) -> str:
    if line == 0:
        return message
    return _("第 %(line)d 行：%(message)s") % {"line": line, "message": message}


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SchemeCsvError([(0, _("文件编码无法识别，请保存为 UTF-8 编码的 CSV 文件。"))])


def parse_scheme_csv(data: bytes | str) -> list[DimensionRow]:
    """The dimensions and codes of the file, in file order; SchemeCsvError listing every problem."""
    text = decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if "\x00" in text:
        raise SchemeCsvError([(0, _("文件不是 CSV 文本。"))])
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SchemeCsvError([(0, _("文件是空的。"))]) from None
    except csv.Error as exc:
        raise SchemeCsvError([(1, _("CSV 格式错误：%(error)s") % {"error": exc})]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SchemeCsvError([(1, _("缺少列：%(columns)s") % {"columns": "、".join(missing)})])
    unknown = [c for c in header if c and c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise SchemeCsvError([(1, _("无法识别的列：%(columns)s") % {"columns": "、".join(unknown)})])
    index = {name: header.index(name) for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in header}

    problems: list[tuple[int, str]] = []
    dimensions: dict[str, DimensionRow] = {}
    levels: dict[tuple[str, str], int] = {}
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            if len(problems) >= MAX_ERRORS:
                break
            if not any(cell.strip() for cell in row):
                continue
            if line - 1 > MAX_ROWS:
                problems.append((line, _("行数超过上限 %(limit)d。") % {"limit": MAX_ROWS}))
                break
            if len(row) > len(header):
                problems.append((line, _("列数多于表头。")))
                continue

            def cell(name: str, row=row) -> str:
                position = index.get(name)
                return row[position].strip() if position is not None and position < len(row) else ""

            problem = _row_problem(cell, dimensions, levels)
            if problem:
                problems.append((line, problem))
                continue
            dimension_code, code, parent = cell("dimension"), cell("code"), cell("parent")
            dimension = dimensions.get(dimension_code)
            if dimension is None:
                dimension = dimensions[dimension_code] = DimensionRow(
                    code=dimension_code, name=cell("dimension_name"), name_en=cell("dimension_name_en"),
                    order=len(dimensions),
                )  # fmt: skip
            level = levels[(dimension_code, parent)] + 1 if parent else 1
            levels[(dimension_code, code)] = level
            dimension.codes.append(
                CodeRow(
                    line=line,
                    dimension=dimension_code,
                    code=code,
                    parent=parent,
                    name=cell("name"),
                    name_en=cell("name_en"),
                    keywords=cell("keywords"),
                    level=level,
                )  # fmt: skip
            )
    except csv.Error as exc:
        problems.append((line + 1, _("CSV 格式错误：%(error)s") % {"error": exc}))
    if problems:
        raise SchemeCsvError(problems)
    if not dimensions:
        raise SchemeCsvError([(0, _("文件中没有分类代码。"))])
    return list(dimensions.values())


def _row_problem(cell, dimensions: dict[str, DimensionRow], levels: dict[tuple[str, str], int]) -> str:
    dimension_code, code, parent, name = cell("dimension"), cell("code"), cell("parent"), cell("name")
    if not _DIMENSION.match(dimension_code):
        return _("维度代码“%(value)s”无效：应为 1–8 位字母或数字。") % {"value": dimension_code}
    if not _CODE.match(code):
        return _("代码“%(value)s”无效：应为 1–20 位字母、数字、点、横线或下划线。") % {"value": code}
    if not name:
        return _("代码 %(code)s 缺少名称。") % {"code": code}
    if len(name) > 100 or len(cell("name_en")) > 150:
        return _("代码 %(code)s 的名称过长（中文不超过 100 字，英文不超过 150 字）。") % {"code": code}
    dimension_name = cell("dimension_name")
    existing = dimensions.get(dimension_code)
    if existing is None and not dimension_name:
        return _("维度 %(dimension)s 缺少名称。") % {"dimension": dimension_code}
    if existing is not None and dimension_name and dimension_name != existing.name:
        return _("维度 %(dimension)s 的名称与前面的行不一致（“%(first)s” / “%(this)s”）。") % {
            "dimension": dimension_code, "first": existing.name, "this": dimension_name,
        }  # fmt: skip
    if (dimension_code, code) in levels:
        return _("代码 %(code)s 在维度 %(dimension)s 中重复。") % {"code": code, "dimension": dimension_code}
    if parent and (dimension_code, parent) not in levels:
        return _("上级代码 %(parent)s 未在前面的行中定义（维度 %(dimension)s）。") % {
            "parent": parent, "dimension": dimension_code,
        }  # fmt: skip
    return ""
