"""The area resolver (fzanalysis.core.areas), as every layout reaches it: Catalog.resolve_area."""
from __future__ import annotations

import pytest

from fzanalysis.core.areas import AreaResolver, area_name
from fzanalysis.core.catalog import load_catalog

CAT = load_catalog()


@pytest.mark.parametrize("text,area", [
    ("八桥镇", "八桥镇"),
    ("八桥镇人民政府", "八桥镇"),  # an alias in orgs.csv
    ("大渡口区跃进村街道办事处", "跃进村街道"),
    (" 跳 磴 镇 ", "跳磴镇"),  # spaces that align short names
    ("大渡口区八桥镇人民政府（盖章）", "八桥镇"),  # a 镇街's alias inside a longer name
    ("长江村", "长江村"),  # a 村/社区 by its form, kept as written
    ("新山村社区", "新山村社区"),  # not 新山村街道, though it holds that 街道's short alias 新山村
    ("八桥社区", "八桥社区"),
    ("钢花居委会", "钢花居委会"),
    ("长 江 社区", "长江社区"),
    ("ＡＢ村", "AB村"),  # NFKC
    ("跃进村", "跃进村街道"),  # the 街道's own alias wins over the form …
])
def test_resolve_area(text, area):
    assert CAT.resolve_area(text) == area


@pytest.mark.parametrize("text", ["区司法局", "合计", "村", "社区", "", "—", "12", "行政处罚案件数", None, 3.0])
def test_not_an_area(text):
    assert CAT.resolve_area(text) is None


def test_under_a_village_header_a_name_is_a_village():
    assert CAT.resolve_area("跃进村", village=True) == "跃进村"  # … unless it stands under 村（社区）
    assert CAT.resolve_area("大堰", village=True) == "大堰"  # no suffix needed there
    assert CAT.resolve_area("大堰") is None
    assert CAT.resolve_area("八桥镇人民政府", village=True) == "八桥镇"  # a 镇街 written whole stays one
    assert CAT.resolve_area("—", village=True) is None


def test_resolver_on_its_own_data():
    resolver = AreaResolver({"甲镇人民政府": "甲镇", "甲镇": "甲镇"}, lambda t: "甲镇" if "甲镇" in t else None,
                            ["村", "社区"])
    assert resolver.resolve("甲镇人民政府") == "甲镇"
    assert resolver.resolve("甲镇乙村") == "甲镇乙村"
    assert resolver.resolve("甲镇（盖章）") == "甲镇"
    assert resolver.is_village("甲镇乙村") and not resolver.is_village("甲镇") and not resolver.is_village("")
    assert resolver.resolve("甲镇乙村") == "甲镇乙村"  # memoised answers are the same answers


def test_area_name_normalises_width_and_spaces():
    assert area_name("　长江　社区 ") == "长江社区"
    assert area_name("Ａ村") == "A村"
