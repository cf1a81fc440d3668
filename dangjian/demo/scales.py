"""Demo scales: one county, a city of counties, a province of counties.

``orgs.rules.ALLOWED_CHILDREN`` has no level above the county committee (县（市、区）委 is the root of
every tree), so a city or province is generated as several county roots side by side, each a county
planned exactly like 清溪县 (``county.build_county``) under another seed and then given an identity of
its own: a fictitious name, a real division code (so members' ID numbers carry a birthplace that was
valid in their birth year), its own organization codes, division codes, transfer-letter prefix and root
path. The first county is always 清溪县 itself, unchanged, so the demo accounts and everything the
county-scale tests check are the same at every scale.

The sizes follow ``../shared/seeds/``: a city of 185,500 members (肇庆) in about 9,000 branches (娄底) —
fourteen counties of ~13,250 members, each with ~630 branches (the tree does not depend on the member
count) — and a province of 5,000,000 in 243 counties of ~20,600.
"""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import stdnum
from stdnum.cn import uscc

from dangjian.demo import county as cty

# name → (counties, members)
SCALES: dict[str, tuple[int, int]] = {
    "county": (1, 20000),
    "city": (14, 185500),
    "province": (243, 5000000),
}

CITY_COUNTIES = SCALES["city"][0]
# The city and province the extra counties belong to (fictitious, like 清溪县).
CITY_PREFECTURE = cty.PREFECTURE
CITY_PROVINCE = cty.PROVINCE

_FIRST = "青白云石龙桃金玉凤安宁永丰新丹平长乐东西南北上下高德仁和泰华兴崇"
_SECOND = "山江河川岭源阳水泉峰田湖林谷溪口坪冈城州陵"


@dataclass(frozen=True)
class CountyIdentity:
    """Who a planned county is. ``number`` 0 is 清溪县 itself (the plan is not changed)."""

    number: int
    name: str  # 清溪县
    short: str  # 清溪
    code_history: tuple[str, ...]  # division codes, newest first (ID-number birthplaces)
    letter_abbr: str  # 清 in 清组介〔2024〕0001号 (transfer letters are unique, so every county has its own)
    prefecture: str = cty.PREFECTURE
    province: str = cty.PROVINCE

    @property
    def code(self) -> str:
        return self.code_history[0]

    @property
    def root_step(self) -> str:
        return cty.base36(self.number + 1).rjust(4, "0")


DEFAULT_IDENTITY = CountyIdentity(0, cty.COUNTY, cty.COUNTY_SHORT, cty.COUNTY_CODE_HISTORY, cty.COUNTY_SHORT[0])


@lru_cache(maxsize=1)
def _borrowable_codes() -> tuple[str, ...]:
    """County-level division codes valid in every year (no start or end year in python-stdnum's table),
    Jiangxi's first, none of those the planner uses for neighbours or elsewhere."""
    from dangjian.demo import people

    used = {c for group in (*people.NEIGHBOURS, *people.ELSEWHERE) for c in group} | set(cty.COUNTY_CODE_HISTORY)
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    province = None
    codes: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r'^(\d\d) province="', line)
        if m:
            province = m.group(1)
            continue
        m = re.match(r'^  (\d{4}) county="([^"]+)"', line)
        if not m or province is None or "[" in m.group(2) or m.group(1)[2:] in ("00", "01") or \
                m.group(1).endswith("00"):
            continue
        code = province + m.group(1)
        if code not in used:
            codes.append(code)
    return tuple(sorted(codes, key=lambda c: (not c.startswith("36"), c)))


def identities(counties: int) -> list[CountyIdentity]:
    """清溪县 and ``counties - 1`` more, the same list for the same count."""
    if counties < 1:
        raise ValueError("at least one county")
    codes = _borrowable_codes()
    shorts = [a + b for a in _FIRST for b in _SECOND if a + b != cty.COUNTY_SHORT]
    random.Random("county names").shuffle(shorts)
    if counties - 1 > min(len(codes), len(shorts)):
        raise ValueError(f"at most {min(len(codes), len(shorts)) + 1} counties")
    out = [DEFAULT_IDENTITY]
    for k in range(1, counties):
        short = shorts[k - 1]
        # fourteen counties to a city, as at the city scale
        city = k // CITY_COUNTIES
        prefecture = CITY_PREFECTURE if city == 0 else f"{shorts[-1 - city]}市"
        out.append(CountyIdentity(k, f"{short}县", short, (codes[k - 1],), short, prefecture, CITY_PROVINCE))
    return out


def members_per_county(total: int, counties: int) -> list[int]:
    base, rest = divmod(total, counties)
    return [base + (1 if k < rest else 0) for k in range(counties)]


# --- giving a planned county its identity -----------------------------------------------------------
def apply_identity(plan: cty.CountyPlan, ident: CountyIdentity) -> None:
    """Rename 清溪县's plan to ``ident`` in place: names, addresses, document numbers, division and
    organization codes, credit codes (check character recomputed) and the root of the tree paths."""
    if ident == DEFAULT_IDENTITY:
        return
    pairs = [(f"{cty.PROVINCE}{cty.PREFECTURE}", f"{ident.province}{ident.prefecture}"),
             (cty.PREFECTURE, ident.prefecture), (cty.COUNTY, ident.name), (cty.COUNTY_SHORT, ident.short)]
    old_code, new_code = cty.COUNTY_CODE, ident.code

    def sub(value: object) -> object:
        if isinstance(value, str):
            for a, b in pairs:
                value = value.replace(a, b)
            return value
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        return value

    def rename(obj: object, skip: tuple[str, ...] = ()) -> None:
        for f in dataclasses.fields(obj):  # type: ignore[arg-type]
            if f.name in skip:
                continue
            v = getattr(obj, f.name)
            if isinstance(v, (str, dict)):
                setattr(obj, f.name, sub(v))

    for d in plan.divisions:
        rename(d, ("code",))
        if d.code.startswith(old_code):
            d.code = new_code + d.code[len(old_code):]
    for u in plan.units:
        rename(u, ("credit_code",))
        if u.credit_code[2:8] == old_code:
            partial = u.credit_code[:2] + new_code + u.credit_code[8:17]
            u.credit_code = partial + uscc.calc_check_digit(partial)
    for o in plan.orgs:
        rename(o, ("code", "path", "profile", "family", "org_type", "category", "unit_situation"))
        o.family = str(sub(o.family))
        if o.code.startswith(old_code):
            o.code = new_code + o.code[len(old_code):]
        o.path = ident.root_step + o.path[4:]
        for e in o.events:
            rename(e, ("kind",))
    plan.named = {str(sub(k)): v for k, v in plan.named.items()}
    plan.account_branches = {str(sub(k)): v for k, v in plan.account_branches.items()}
