"""The demo county's organization tree, divisions and units, planned in memory as plain data.

清溪县 is fictitious. It borrows the division codes of a real county of 赣州市, 江西省 (360722 since
1998, 362123 before), so that its members' ID numbers carry birthplace codes that were valid in their
birth year and its divisions, units and organization codes agree with each other. The plan depends only
on the seed and today's date, never on the number of members, so the demo accounts (and the README's
table of them) are the same whatever ``--members`` says.

Realistic imperfections are planted on purpose so the work queue has content: a branch with fewer than
3 full members, a village branch over 50, branches with 7+ full members and no committee, a joint branch
covering 6 units, a village organization with no term record, and two villages whose election is late.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from stdnum.cn import uscc

from dangjian.demo import names
from dangjian.orgs.models import OrgCategory as Cat
from dangjian.orgs.models import OrgType as T
from dangjian.orgs.models import UnitSituation as US

PROVINCE = "江西省"
PREFECTURE = "赣州市"
COUNTY = "清溪县"
COUNTY_SHORT = "清溪"
# The division code is borrowed (see the module docstring); the older code applies before 1998.
COUNTY_CODE = "360722"
COUNTY_CODE_HISTORY = ("360722", "362123")
AREA_CODE = "0797"

DIV_COUNTY, DIV_TOWNSHIP, DIV_VILLAGE, DIV_COMMUNITY = "county", "township", "village", "community"


@dataclass
class DivisionSpec:
    idx: int
    code: str
    name: str
    level: str
    parent: int | None


@dataclass
class UnitSpec:
    idx: int
    name: str
    credit_code: str
    nature: str
    org_building: str
    employees: int | None
    division: int | None
    address: str
    supervisor: str


@dataclass
class OrgEventSpec:
    kind: str
    date: dt.date
    doc_number: str
    changes: dict
    note: str = ""
    other_org: int | None = None


@dataclass
class OrgSpec:
    idx: int
    parent: int | None
    name: str
    short_name: str
    org_type: str
    category: str
    established_on: dt.date
    stats_name: str = ""
    code: str = ""
    unit_situation: str = US.SAME_AS_PARENT
    units: list[int] = field(default_factory=list)
    division: int | None = None
    approving_org: int | None = None
    profile: str | None = None  # members' profile (profiles.PROFILES); None: holds no members
    weight: float = 0.0  # planned members at the 20,000-member scale
    family: str = ""  # organizations members move between (transfers)
    committee_size: int = 0
    term_started_on: dt.date | None = None
    term_years: int | None = None
    can_approve_probationary: bool = False
    is_new_business: bool = False
    dissolved_on: dt.date | None = None
    # Members present before ``predecessor_on`` sat in ``predecessor`` and were transferred in on that
    # date (a merged village, or a branch split when its parent was upgraded to a general branch).
    predecessor: int | None = None
    predecessor_on: dt.date | None = None
    predecessor_doc: str = ""
    predecessor_share: float = 0.0
    predecessor_note: str = ""
    township: int | None = None  # the township or working committee above it
    flags: frozenset[str] = frozenset()
    doc_number: str = ""
    secretary_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    clan: tuple[str, ...] = ()
    minority_share: float = 0.0
    place: str = ""  # the village or community, for residences
    events: list[OrgEventSpec] = field(default_factory=list)
    # tree position (filled by CountyPlan.finish)
    path: str = ""
    depth: int = 0
    numchild: int = 0

    @property
    def holds_members(self) -> bool:
        return self.profile is not None

    @property
    def is_village_level(self) -> bool:
        return self.category in (Cat.RURAL, Cat.COMMUNITY) and self.org_type not in (
            T.COUNTY_COMMITTEE, T.TOWNSHIP_COMMITTEE, T.WORKING_COMMITTEE, T.PARTY_GROUP)


@dataclass
class CountyPlan:
    divisions: list[DivisionSpec] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    orgs: list[OrgSpec] = field(default_factory=list)
    county: int = 0
    # townships and working committees by short name, for the demo accounts
    named: dict[str, int] = field(default_factory=dict)
    account_branches: dict[str, int] = field(default_factory=dict)

    def children(self, idx: int) -> list[OrgSpec]:
        return [o for o in self.orgs if o.parent == idx]

    def finish(self) -> None:
        """Materialized paths as treebeard's MP_Node writes them (steplen 4, alphabet 0-9A-Z)."""
        counters: dict[int | None, int] = {}
        for o in self.orgs:
            n = counters.get(o.parent, 0) + 1
            counters[o.parent] = n
            step = base36(n).rjust(4, "0")
            if o.parent is None:
                o.path, o.depth = step, 1
            else:
                parent = self.orgs[o.parent]
                assert parent.idx < o.idx, "parents are planned before their children"
                o.path, o.depth = parent.path + step, parent.depth + 1
        for o in self.orgs:
            o.numchild = counters.get(o.idx, 0)


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _ALPHABET[r] + out
        if n == 0:
            return out


# --- identifiers ----------------------------------------------------------------------------------
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organization code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code(rng: random.Random, authority: str, division6: str, *, new_style: bool) -> str:
    """统一社会信用代码 (GB 32100): authority and category (11 机关, 12 事业单位, 51 社会团体, 52 民办非企业,
    54 基层群众性自治组织, 91 企业, 93 农民专业合作社, 31 律师事务所), division, GB 11714 organization code,
    check character."""
    if new_style:  # codes assigned after 2015 start with M and a letter
        body = "MA" + "".join(rng.choice(_USCC_ALPHABET[:-1]) for _ in range(6))
        body = body.replace("I", "J").replace("O", "P")
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    org_code = body + org_code_check(body)
    partial = authority + division6 + org_code
    return partial + uscc.calc_check_digit(partial)


# --- static tables --------------------------------------------------------------------------------
# (name, kind, division code digits 7-9, villages, communities, renamed from (old name, date) or None)
TOWNSHIPS = [
    ("清溪", "街道", "001", 3, 8, ("城关镇", dt.date(2004, 6, 18))),
    ("凤岗", "街道", "002", 6, 5, ("凤岗镇", dt.date(2015, 11, 20))),
    ("石门", "镇", "100", 15, 2, None),
    ("梅林", "镇", "101", 14, 2, ("梅林乡", dt.date(2011, 12, 26))),
    ("龙口", "镇", "102", 15, 1, ("龙口乡", dt.date(1995, 3, 10))),
    ("桃源", "镇", "103", 15, 2, None),
    ("安和", "镇", "104", 14, 2, None),
    ("新田", "镇", "105", 14, 1, None),
    ("大塘", "镇", "106", 15, 1, None),
    ("白沙", "乡", "200", 11, 0, None),
    ("云峰", "乡", "201", 9, 0, None),
    ("黄坡", "乡", "202", 10, 0, None),
    ("长岭畲族", "乡", "203", 9, 0, None),
]
COMMUNITY_NAMES = {
    "清溪": ["城东", "城西", "城南", "城北", "文昌", "紫阳", "和平", "滨江"],
    "凤岗": ["凤岗", "凤鸣", "新城", "站前", "园区"],
}
# Community weights of the county seat: big urban communities, mostly retired members.
SEAT_COMMUNITY_WEIGHTS = [230, 190, 165, 140, 120, 95, 70, 40]

# County agencies under the 机关工委: (unit, weight, profile, supervisor, sub-branches or None)
AGENCIES: list[tuple[str, float, str, str, list[tuple[str, float]] | None]] = [
    ("中共清溪县委办公室", 30, "agency", "中共清溪县委员会", None),
    ("清溪县人大常委会机关", 26, "agency", "清溪县人民代表大会常务委员会", None),
    ("清溪县人民政府办公室", 36, "agency", "清溪县人民政府", None),
    ("政协清溪县委员会机关", 20, "agency", "政协清溪县委员会", None),
    ("中共清溪县纪律检查委员会 清溪县监察委员会机关", 56, "agency", "中共清溪县委员会",
     [("第一", 29), ("第二", 27)]),
    ("中共清溪县委组织部", 28, "agency", "中共清溪县委员会", None),
    ("中共清溪县委宣传部", 22, "agency", "中共清溪县委员会", None),
    ("中共清溪县委统一战线工作部", 15, "agency", "中共清溪县委员会", None),
    ("中共清溪县委政法委员会", 18, "agency", "中共清溪县委员会", None),
    ("中共清溪县委党校", 21, "agency", "中共清溪县委员会", None),
    ("中共清溪县委机构编制委员会办公室", 9, "agency", "中共清溪县委员会", None),
    ("中共清溪县委巡察工作领导小组办公室", 11, "agency", "中共清溪县委员会", None),
    ("清溪县发展和改革委员会", 31, "agency", "清溪县人民政府", None),
    ("清溪县工业和信息化局", 27, "agency", "清溪县人民政府", None),
    ("清溪县财政局", 40, "agency", "清溪县人民政府", None),
    ("清溪县人力资源和社会保障局", 36, "agency", "清溪县人民政府", None),
    ("清溪县自然资源局", 40, "agency", "清溪县人民政府", None),
    ("清溪县住房和城乡建设局", 38, "agency", "清溪县人民政府", None),
    ("清溪县交通运输局", 33, "agency", "清溪县人民政府", None),
    ("清溪县农业农村局", 66, "agency", "清溪县人民政府", [("机关", 30), ("农业技术推广中心", 36)]),
    ("清溪县水利局", 31, "agency", "清溪县人民政府", None),
    ("清溪县商务局", 18, "agency", "清溪县人民政府", None),
    ("清溪县文化广电新闻出版旅游局", 30, "agency", "清溪县人民政府", None),
    ("清溪县应急管理局", 19, "agency", "清溪县人民政府", None),
    ("清溪县审计局", 17, "agency", "清溪县人民政府", None),
    ("清溪县市场监督管理局", 60, "agency", "清溪县人民政府", [("机关", 31), ("基层所", 29)]),
    ("清溪县统计局", 13, "agency", "清溪县人民政府", None),
    ("清溪县医疗保障局", 14, "agency", "清溪县人民政府", None),
    ("清溪县林业局", 38, "agency", "清溪县人民政府", None),
    ("清溪县民政局", 23, "agency", "清溪县人民政府", None),
    ("清溪县司法局", 30, "agency", "清溪县人民政府", None),
    ("清溪县退役军人事务局", 12, "agency", "清溪县人民政府", None),
    ("清溪县城市管理局", 35, "agency", "清溪县人民政府", None),
    ("清溪县行政审批局", 25, "agency", "清溪县人民政府", None),
    ("清溪县科学技术局", 10, "agency", "清溪县人民政府", None),
    ("清溪县信访局", 10, "agency", "清溪县人民政府", None),
    ("清溪县档案馆", 8, "agency", "中共清溪县委员会", None),
    ("清溪县融媒体中心", 26, "agency", "中共清溪县委宣传部", None),
    ("清溪县总工会", 10, "agency", "中共清溪县委员会", None),
    ("共青团清溪县委员会", 6, "agency", "中共清溪县委员会", None),
    ("清溪县妇女联合会", 7, "agency", "中共清溪县委员会", None),
    ("清溪县科学技术协会", 5, "agency", "中共清溪县委员会", None),
    ("清溪县人民法院", 62, "agency", "江西省赣州市中级人民法院",
     [("机关第一", 32), ("机关第二", 30)]),
    ("清溪县人民检察院", 40, "agency", "江西省赣州市人民检察院", None),
    ("中共清溪县委老干部局", 9, "agency", "中共清溪县委员会", None),
    ("中共清溪县委网络安全和信息化委员会办公室", 7, "agency", "中共清溪县委员会", None),
    ("清溪县数据局", 6, "agency", "清溪县人民政府", None),
    ("清溪县住房公积金管理中心", 10, "agency", "清溪县人民政府", None),
    ("清溪县机关事务服务中心", 12, "agency", "清溪县人民政府", None),
    ("清溪县公共资源交易中心", 8, "agency", "清溪县人民政府", None),
    ("清溪县国有资产监督管理办公室", 10, "agency", "清溪县人民政府", None),
    ("清溪县供销合作社联合社", 16, "agency", "清溪县人民政府", None),
    ("清溪县工商业联合会", 6, "agency", "中共清溪县委员会", None),
    ("清溪县残疾人联合会", 8, "agency", "清溪县人民政府", None),
    ("清溪县文学艺术界联合会", 4, "agency", "中共清溪县委员会", None),
    ("清溪县图书馆", 8, "agency", "清溪县文化广电新闻出版旅游局", None),
    ("清溪县文化馆", 9, "agency", "清溪县文化广电新闻出版旅游局", None),
    ("清溪工业园区管理委员会", 64, "agency", "清溪县人民政府", [("机关", 34), ("企业服务中心", 30)]),
    ("清溪县社会保险服务中心", 18, "agency", "清溪县人力资源和社会保障局", None),
    ("清溪县就业创业服务中心", 12, "agency", "清溪县人力资源和社会保障局", None),
    ("清溪县农村公路事业发展中心", 15, "agency", "清溪县交通运输局", None),
    ("清溪县城乡规划设计院", 14, "agency", "清溪县住房和城乡建设局", None),
    ("清溪县畜牧兽医中心", 16, "agency", "清溪县农业农村局", None),
    ("清溪县不动产登记中心", 13, "agency", "清溪县自然资源局", None),
]
POLICE_BRANCHES = [("机关第一", 36), ("机关第二", 31), ("城关派出所", 26), ("交通警察大队", 29), ("刑事侦查大队", 22),
                   ("乡镇派出所", 30)]  # fmt: skip
SMALL_STATE_ENTERPRISES = [("清溪县自来水有限责任公司", 22), ("清溪县公共交通有限公司", 16), ("清溪县粮食收储有限公司", 14),
                           ("清溪县旅游投资发展有限公司", 12)]  # fmt: skip
COUNTY_SCHOOLS = [("清溪县第三中学", 43), ("清溪县第四中学", 40), ("清溪县实验小学", 42), ("清溪县第二小学", 37),
                  ("清溪县第三小学", 33), ("清溪县城南小学", 35), ("清溪县城北小学", 32), ("清溪县凤岗中学", 40),
                  ("清溪县实验幼儿园", 14), ("清溪县特殊教育学校", 7), ("清溪县教师进修学校", 12)]  # fmt: skip
PRIVATE_ENTERPRISES = [
    ("江西清溪稀土新材料股份有限公司", 78, False), ("清溪县恒昌电子科技有限公司", 34, False),
    ("江西赣清脐橙产业发展有限公司", 18, False), ("清溪县金源家具有限公司", 15, False),
    ("江西清溪纺织有限公司", 30, False), ("清溪县鸿达建材有限公司", 9, False), ("清溪县顺通物流有限公司", 9, True),
    ("清溪县绿源食品有限公司", 12, False), ("江西清溪电商产业园运营管理有限公司", 11, True),
    ("清溪县宏远建筑工程有限公司", 16, False), ("清溪县天和医药连锁有限公司", 8, False),
    ("清溪县联创光电有限公司", 27, False), ("清溪县永丰钨业有限公司", 15, False),
    ("江西清溪汇丰新能源科技有限公司", 13, False), ("清溪县众鑫机械制造有限公司", 11, False),
    ("清溪县康宁养老服务有限公司", 7, False), ("清溪县同城网络直播有限公司", 6, True),
    ("清溪县华美服饰有限公司", 9, False),
]
SMALL_ENTERPRISES = ["清溪县瑞丰竹木制品有限公司", "清溪县佳和包装材料有限公司", "清溪县欣达五金有限公司",
                     "清溪县宏兴塑胶制品有限公司", "清溪县利民米业有限公司", "清溪县新华印务有限公司",
                     "清溪县兴旺农机服务有限公司", "清溪县金穗农业科技有限公司", "清溪县顺发汽车维修有限公司",
                     "清溪县旺达建材有限公司"]  # fmt: skip
MORE_ENTERPRISES = ["清溪县赣韵陶瓷有限公司", "清溪县宏图智能装备有限公司", "江西清溪鑫磊新材料有限公司",
                    "清溪县福满园餐饮管理有限公司", "清溪县安达保安服务有限公司", "清溪县绿健生物科技有限公司",
                    "清溪县恒泰房地产开发有限公司", "清溪县鑫源矿业有限公司", "清溪县鸿运客运有限公司",
                    "清溪县美家装饰工程有限公司", "清溪县百佳超市有限公司", "清溪县晨光电子有限公司"]  # fmt: skip
SOCIAL_ORGS = [("清溪县慈善总会", 8, "51"), ("清溪县社会工作服务中心", 6, "52"), ("清溪县脐橙产业协会", 6, "51"),
               ("清溪县民营企业家商会", 7, "51"), ("清溪县志愿服务联合会", 5, "51")]  # fmt: skip
LAW_FIRMS = ["江西清正律师事务所", "江西溪源律师事务所", "江西明法律师事务所"]
TOWN_PRODUCTS = ["竹木制品", "脐橙", "油茶", "稀土", "服装", "陶瓷", "米业", "电子元件", "建材", "茶叶"]
MINORITY_CODES = [("22", 30), ("03", 3), ("06", 2), ("08", 2), ("15", 2), ("11", 1), ("13", 1)]  # 畲族 first


# --- the builder ----------------------------------------------------------------------------------
class _Builder:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        # Two streams: ``rng`` decides names and shapes, ``drng`` dates. Dates depend on today (nothing is
        # dated after it), and keeping them apart keeps names and shapes — and so the demo accounts'
        # organizations — the same whatever day the demo is built.
        self.rng = rng
        self.drng = random.Random(rng.random())
        self.today = today
        self.plan = CountyPlan()
        self.docs: dict[tuple[str, int], int] = {}
        self.place_taken: set[str] = set()

    # helpers
    def date_in(self, start: dt.date, end: dt.date) -> dt.date:
        end = min(end, self.today)
        if end <= start:
            return min(start, self.today)
        return start + dt.timedelta(days=self.drng.randrange((end - start).days + 1))

    def year_date(self, year: int) -> dt.date:
        return self.date_in(dt.date(year, 1, 1), dt.date(year, 12, 28))

    def doc(self, prefix: str, date: dt.date) -> str:
        key = (prefix, date.year)
        n = self.docs.get(key, 0) + self.rng.randint(1, 4)
        self.docs[key] = n
        return f"{prefix}〔{date.year}〕{n}号"

    def person(self, sex: str | None = None, born: int | None = None) -> str:
        sex = sex or ("1" if self.rng.random() < 0.75 else "2")
        return names.person_name(self.rng, sex, born or self.rng.randint(1966, 1990))

    def division(self, code: str, name: str, level: str, parent: int | None) -> int:
        d = DivisionSpec(len(self.plan.divisions), code, name, level, parent)
        self.plan.divisions.append(d)
        return d.idx

    def unit(self, name: str, authority: str, nature: str, building: str, *, division: int | None,
             employees: int | None, address: str, supervisor: str = "", new_style: bool = False) -> int:
        u = UnitSpec(len(self.plan.units), name, credit_code(self.rng, authority, COUNTY_CODE, new_style=new_style),
                     nature, building, employees, division, address, supervisor)
        self.plan.units.append(u)
        return u.idx

    def org(self, parent: int | None, name: str, short: str, org_type: str, category: str, established: dt.date,
            **kw) -> OrgSpec:
        idx = len(self.plan.orgs)
        moved: OrgEventSpec | None = None
        if parent is not None:
            p = self.plan.orgs[parent]
            if p.org_type == T.WORKING_COMMITTEE and established < p.established_on and p.parent is not None:
                # older than its working committee: it sat under the county committee until the working
                # committee was set up, then moved under it (调整隶属关系)
                moved = OrgEventSpec("moved", p.established_on, p.doc_number,
                                     {"parent": [self.plan.orgs[p.parent].name, p.name]}, other_org=p.idx)
            else:
                established = max(established, p.established_on)
            kw.setdefault("division", p.division)
            kw.setdefault("township", p.township if p.org_type not in (T.TOWNSHIP_COMMITTEE, T.WORKING_COMMITTEE)
                          else p.idx)
            kw.setdefault("approving_org", parent)
        o = OrgSpec(idx=idx, parent=parent, name=name, short_name=short, org_type=org_type, category=category,
                    established_on=established, code=f"{COUNTY_CODE}{idx + 1:06d}", **kw)
        if not o.stats_name:
            township = self.plan.orgs[o.township] if o.township is not None else None
            prefix = _strip_suffix(township.short_name).removesuffix("党工委") if township is not None \
                and township.org_type == T.TOWNSHIP_COMMITTEE and o.is_village_level else ""
            o.stats_name = f"{prefix}{short}" if not short.startswith(prefix) else short
        if moved is not None:
            o.events.append(moved)
        o.secretary_name = o.secretary_name or self.person()
        o.contact_name = o.contact_name or self.person()
        o.contact_phone = o.contact_phone or names.landline(self.rng, AREA_CODE)
        self.plan.orgs.append(o)
        return o

    def branch_term(self, o: OrgSpec) -> None:
        """Ordinary branches and general branches serve 3 years, committees 5; some are overdue."""
        years = 5 if o.org_type == T.PRIMARY_COMMITTEE else 3
        span = years * 365
        back = self.rng.randint(span + 30, span + 300) if self.rng.random() < 0.12 else self.rng.randint(20, span - 10)
        o.term_started_on = max(o.established_on, self.today - dt.timedelta(days=back))
        o.term_years = years
        if o.org_type == T.PRIMARY_COMMITTEE:
            o.committee_size = self.rng.choice((5, 7, 7))
        elif o.org_type == T.GENERAL_BRANCH:
            o.committee_size = 5

    def party_groups(self, branch: OrgSpec, *, per: float = 12, most: int = 4) -> None:
        k = min(most, int(branch.weight // per))
        if k < 2:
            return
        for i in range(k):
            label = "第" + "一二三四五六"[i] + "党小组"
            self.org(branch.idx, f"{branch.short_name}{label}", label, T.PARTY_GROUP, branch.category,
                     branch.established_on, secretary_name=self.person(), contact_phone=names.mobile(self.rng),
                     flags=frozenset({"party_group"}))

    def sub_branches(self, parent: OrgSpec, parts: Sequence[tuple[str, float, str]], *, family: str,
                     predecessor: bool = False, term: tuple[dt.date | None, int | None] | None = None,
                     groups_per: float = 0, established: dt.date | None = None) -> list[OrgSpec]:
        """Branches under a general branch or committee: (label, weight, profile)."""
        out = []
        for label, weight, profile in parts:
            b = self.org(parent.idx, _sub_name(parent.name, label), f"{_strip_suffix(parent.short_name)}{label}党支部",
                         T.BRANCH, parent.category, established or parent.established_on, profile=profile,
                         weight=weight, family="" if profile.startswith("retired") or profile == "student" else family,
                         clan=parent.clan, minority_share=parent.minority_share, place=parent.place,
                         contact_phone=names.mobile(self.rng) if parent.is_village_level else "")
            if predecessor and parent.events:
                b.predecessor, b.predecessor_on = parent.idx, b.established_on
                b.predecessor_doc, b.predecessor_share = parent.events[-1].doc_number, 1.0
                b.predecessor_note = f"党支部升格为党总支，调整至下设党支部（{b.predecessor_doc}）"
            if term is not None:
                b.term_started_on, b.term_years = term
            else:
                self.branch_term(b)
            if groups_per:
                self.party_groups(b, per=groups_per)
            out.append(b)
        return out


_AGENCY_NAMES = {
    "中共清溪县纪律检查委员会 清溪县监察委员会机关": ("中共清溪县纪委监委机关", "县纪委监委机关"),
    "政协清溪县委员会机关": ("中共政协清溪县委员会机关", "县政协机关"),
    "共青团清溪县委员会": ("中共共青团清溪县委员会", "团县委"),
}


def _agency_names(unit: str) -> tuple[str, str]:
    """The organization's full-name stem and short-name stem for an agency unit."""
    if unit in _AGENCY_NAMES:
        return _AGENCY_NAMES[unit]
    full_base = unit if unit.startswith("中共") else f"中共{unit}"
    return full_base, unit.replace("中共清溪县委", "县委").replace("清溪县", "县")


def _strip_suffix(short: str) -> str:
    for suffix in ("党委", "党总支", "党支部"):
        if short.endswith(suffix):
            return short[: -len(suffix)]
    return short


def _sub_name(parent_name: str, label: str) -> str:
    """中共清溪县人民医院委员会 → 中共清溪县人民医院内科支部委员会."""
    for suffix in ("总支部委员会", "委员会"):
        if parent_name.endswith(suffix):
            return f"{parent_name[: -len(suffix)]}{label}支部委员会"
    return f"{parent_name}{label}支部委员会"


def _round_date(rng: random.Random, today: dt.date, months: tuple[int, int], base: int = 2021) -> dt.date:
    """A date in the latest election round (every 5 years from ``base``) that has begun by today."""
    year = today.year - (today.year - base) % 5
    start = dt.date(year, months[0], 1)
    if start > today:
        year -= 5
        start = dt.date(year, months[0], 1)
    end = min(dt.date(year, months[1], 28), today)
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def build_county(rng: random.Random, today: dt.date) -> CountyPlan:
    b = _Builder(rng, today)
    plan = b.plan
    w: float
    div_t: int | None

    def full(s: str) -> str:
        return f"中共{COUNTY}{s}"

    # --- county ---------------------------------------------------------------------------------
    div_county = b.division(COUNTY_CODE + "000000", COUNTY, DIV_COUNTY, None)
    county_unit = b.unit("中国共产党清溪县委员会", "11", "agency", "建立党委", division=div_county, employees=85,
                         address=f"{PROVINCE}{PREFECTURE}{COUNTY}紫阳大道1号", supervisor="中共赣州市委员会")
    county = b.org(None, f"中共{COUNTY}委员会", f"{COUNTY}委", T.COUNTY_COMMITTEE, Cat.OTHER, dt.date(1949, 9, 12),
                   unit_situation=US.LEGAL_PERSON, units=[county_unit], division=div_county, committee_size=31,
                   can_approve_probationary=True, term_started_on=_round_date(b.drng, today, (9, 10)), term_years=5,
                   doc_number="赣南地委〔1949〕12号", secretary_name=b.person("1", 1970))
    county.approving_org = None
    plan.county = county.idx

    # --- townships, villages and communities ---------------------------------------------------------
    village_count = 0
    for tname, kind, tcode, n_villages, n_communities, renamed in TOWNSHIPS:
        tfull = f"{tname}{kind}"
        div_t = b.division(f"{COUNTY_CODE}{tcode}000", tfull, DIV_TOWNSHIP, div_county)
        is_street = kind == "街道"
        gov = f"{COUNTY}{tfull}{'办事处' if is_street else '人民政府'}"
        unit_t = b.unit(gov, "11", "agency", "建立党委" if not is_street else "建立党工委", division=div_t,
                        employees=rng.randint(45, 90), address=f"{PROVINCE}{PREFECTURE}{COUNTY}{tfull}圩镇街1号",
                        supervisor=f"{COUNTY}人民政府")
        name = full(f"{tfull}工作委员会") if is_street else full(f"{tfull}委员会")
        short = f"{tfull}党工委" if is_street else f"{tfull}党委"
        est = b.date_in(dt.date(1984, 3, 1), dt.date(1984, 10, 30))
        t_org = b.org(county.idx, name, short, T.TOWNSHIP_COMMITTEE, Cat.COMMUNITY if is_street else Cat.RURAL, est,
                      unit_situation=US.LEGAL_PERSON, units=[unit_t], division=div_t,
                      committee_size=9 if kind != "乡" else 7, can_approve_probationary=True,
                      term_started_on=_round_date(b.drng, today, (6, 9)), term_years=5,
                      doc_number=b.doc("赣南地组字", est))
        t_org.township = t_org.idx
        plan.named[tfull] = t_org.idx
        if renamed:
            old, when = renamed
            old_kind = old[-1]
            old_name = full(f"{old}委员会")
            old_short = f"{old}党委"
            t_org.events.append(OrgEventSpec("renamed", when, b.doc("清组字", when),
                                             {"name": [old_name, name], "short_name": [old_short, short]},
                                             note=f"撤{old_kind}设{kind}"))

        # 机关: a general branch over the government offices and the township's public institutions (站所)
        organ = b.org(t_org.idx, full(f"{tfull}机关总支部委员会"), f"{tfull}机关党总支", T.GENERAL_BRANCH, Cat.AGENCY, est,
                      doc_number=b.doc(f"{tname}党字", est))
        b.branch_term(organ)
        b.sub_branches(organ, [("第一", rng.uniform(26, 40), "township_organ"), ("第二", rng.uniform(22, 36), "township_organ"),
                               ("离退休干部", rng.uniform(12, 26), "retired_cadre")], family="agency", groups_per=15)

        is_she = tname.endswith("畲族")
        # villages
        vnames = names.place_names(rng, n_villages, b.place_taken)
        v_orgs: list[OrgSpec] = []
        for v_i, vname in enumerate(vnames):
            village_count += 1
            v_orgs.append(_village(b, t_org, tfull, div_t, tcode, vname, 200 + v_i, is_she, village=True))
        # communities
        if tname in COMMUNITY_NAMES:
            cnames = COMMUNITY_NAMES[tname][:n_communities]
        else:
            cnames = [tname, f"{tname}新街"][:n_communities]
        for c_i, cname in enumerate(cnames):
            if tname == "清溪":
                w = SEAT_COMMUNITY_WEIGHTS[c_i]
            elif tname == "凤岗":
                w = [75, 42, 60, 48, 38][c_i]
            else:
                w = rng.uniform(32, 62)
            _village(b, t_org, tfull, div_t, tcode, cname, 1 + c_i, False, village=False, weight=w)

        # a merged village: 2020 合村并组 in 桃源镇 and 黄坡乡
        if tname in ("桃源", "黄坡") and len(v_orgs) >= 2:
            _merge_villages(b, t_org, tfull, div_t, tcode, v_orgs)
        # enterprises under the township (属地管理)
        if kind == "镇":
            for _ in range(rng.choice((1, 1, 2))):
                product = rng.choice(TOWN_PRODUCTS)
                ename = f"{COUNTY}{tname}{product}有限公司"
                est_e = b.year_date(rng.randint(2006, 2021))
                unit_e = b.unit(ename, "91", "private_enterprise", "建立党支部", division=div_t,
                                employees=rng.randint(25, 160), address=f"{PROVINCE}{PREFECTURE}{COUNTY}{tfull}工业小区",
                                new_style=est_e.year >= 2015)
                e = b.org(t_org.idx, full(f"{tfull}{product}有限公司支部委员会"), f"{tname}{product}公司党支部", T.BRANCH,
                          Cat.PRIVATE_ENTERPRISE, est_e, unit_situation=US.LEGAL_PERSON, units=[unit_e],
                          profile="private_enterprise", weight=rng.uniform(5, 12), family="private",
                          doc_number=b.doc(f"{tname}党字", est_e))
                b.branch_term(e)

    # --- 县直机关工委 ----------------------------------------------------------------------------------
    jg_est = dt.date(1985, 4, 16)
    jg = b.org(county.idx, full("直属机关工作委员会"), "县直机关工委", T.WORKING_COMMITTEE, Cat.AGENCY, jg_est,
               committee_size=7, can_approve_probationary=True, term_started_on=_round_date(b.drng, today, (9, 12)),
               term_years=5, doc_number="清组字〔1985〕9号")
    jg.township = jg.idx
    plan.named["县直机关工委"] = jg.idx
    for uname, weight, profile, supervisor, parts in AGENCIES:
        full_base, short_base = _agency_names(uname)
        est = b.year_date(rng.choice((1985, 1986, 1990, 1996, 2002, 2010, 2019, 2019) if "局" in uname
                                     else (1985, 1986, 1990, 1996, 2002)))  # 2019: the institutional reform
        u = b.unit(uname, "11", "agency", "建立党支部" if not parts else "建立党总支", division=div_county,
                   employees=int(weight * rng.uniform(1.4, 2.2)),
                   address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=supervisor)
        if parts:
            g = b.org(jg.idx, f"{full_base}总支部委员会", f"{short_base}党总支", T.GENERAL_BRANCH, Cat.AGENCY, est,
                      unit_situation=US.LEGAL_PERSON, units=[u], doc_number=b.doc("清机工字", est))
            b.branch_term(g)
            b.sub_branches(g, [(label, w, profile) for label, w in parts], family="agency")
            continue
        br = b.org(jg.idx, f"{full_base}支部委员会", f"{short_base}党支部", T.BRANCH, Cat.AGENCY, est,
                   unit_situation=US.LEGAL_PERSON, units=[u], profile=profile, weight=weight, family="agency",
                   doc_number=b.doc("清机工字", est))
        b.branch_term(br)
        if uname in ("清溪县自然资源局", "清溪县统计局"):
            br.flags = frozenset({"no_committee"})
    # 公安局党委
    police_est = dt.date(1988, 5, 4)
    u = b.unit("清溪县公安局", "11", "agency", "建立党委", division=div_county, employees=260,
               address=f"{PROVINCE}{PREFECTURE}{COUNTY}和平路18号", supervisor=f"{COUNTY}人民政府")
    police = b.org(jg.idx, full("公安局委员会"), "县公安局党委", T.PRIMARY_COMMITTEE, Cat.AGENCY, police_est,
                   unit_situation=US.LEGAL_PERSON, units=[u], can_approve_probationary=True,
                   doc_number=b.doc("清机工字", police_est))
    b.branch_term(police)
    b.sub_branches(police, [(label, w, "police") for label, w in POLICE_BRANCHES], family="police")
    # retired cadres
    for i, w in enumerate((42, 41, 40, 40, 38, 36)):
        label = "第" + "一二三四五六"[i]
        est = b.year_date(1994 + 3 * i)
        r = b.org(jg.idx, full(f"直属机关离退休干部{label}支部委员会"), f"县直机关离退休干部{label}党支部", T.BRANCH,
                  Cat.AGENCY, est, profile="retired_cadre", weight=w, family="", doc_number=b.doc("清机工字", est))
        b.branch_term(r)
        b.party_groups(r, per=12, most=4)
    # small state enterprises
    for ename, w in SMALL_STATE_ENTERPRISES:
        est = b.year_date(rng.randint(1992, 2012))
        u = b.unit(ename, "91", "state_enterprise", "建立党支部", division=div_county, employees=int(w * rng.uniform(3, 6)),
                   address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}国有资产监督管理办公室")
        short = ename.removeprefix(COUNTY).replace("有限责任公司", "公司").replace("有限公司", "公司")
        s = b.org(jg.idx, full(f"{ename.removeprefix(COUNTY)}支部委员会"), f"县{short}党支部",
                  T.BRANCH, Cat.STATE_ENTERPRISE, est, unit_situation=US.LEGAL_PERSON, units=[u],
                  profile="state_enterprise", weight=w, family="state", doc_number=b.doc("清机工字", est))
        b.branch_term(s)

    # --- 教育工委 -----------------------------------------------------------------------------------
    edu_est = dt.date(2012, 9, 6)
    edu = b.org(county.idx, full("委教育工作委员会"), "县委教育工委", T.WORKING_COMMITTEE, Cat.SCHOOL, edu_est,
                committee_size=7, can_approve_probationary=True, term_started_on=_round_date(b.drng, today, (9, 12)),
                term_years=5, doc_number="清发〔2012〕21号")
    edu.township = edu.idx
    plan.named["县委教育工委"] = edu.idx
    u = b.unit("清溪县教育体育局", "11", "agency", "建立党支部", division=div_county, employees=48,
               address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}人民政府")
    eb = b.org(edu.idx, full("教育体育局机关支部委员会"), "县教育体育局机关党支部", T.BRANCH, Cat.AGENCY, edu_est,
               unit_situation=US.LEGAL_PERSON, units=[u], profile="agency", weight=30, family="agency",
               doc_number=b.doc("清教工字", edu_est))
    b.branch_term(eb)

    def school_unit(name: str, employees: int, div: int = div_county, authority: str = "12",
                    nature: str = "institution", building: str = "建立党支部") -> int:
        return b.unit(name, authority, nature, building, division=div, employees=employees,
                      address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}教育体育局")

    est = dt.date(1982, 9, 1)
    qx = b.org(edu.idx, "中共清溪中学委员会", "清溪中学党委", T.PRIMARY_COMMITTEE, Cat.SCHOOL, est,
               unit_situation=US.LEGAL_PERSON, units=[school_unit("江西省清溪中学", 420, building="建立党委")],
               can_approve_probationary=True, doc_number="清组字〔1982〕31号")
    b.branch_term(qx)
    b.sub_branches(qx, [("高一年级", 42, "school"), ("高二年级", 41, "school"), ("高三年级", 43, "school"),
                        ("行政后勤", 30, "school"), ("离退休教师第一", 40, "retired_teacher"),
                        ("离退休教师第二", 38, "retired_teacher")], family="school", groups_per=14)
    est = b.year_date(1993)
    er = b.org(edu.idx, "中共清溪县第二中学总支部委员会", "清溪二中党总支", T.GENERAL_BRANCH, Cat.SCHOOL, est,
               unit_situation=US.LEGAL_PERSON, units=[school_unit("清溪县第二中学", 230, building="建立党总支")],
               doc_number=b.doc("清组字", est))
    b.branch_term(er)
    b.sub_branches(er, [("第一", 40, "school"), ("第二", 39, "school"), ("离退休教师", 40, "retired_teacher")],
                   family="school")
    est = b.year_date(2008)
    vs = b.org(edu.idx, "中共清溪县职业中等专业学校总支部委员会", "县职业中专党总支", T.GENERAL_BRANCH, Cat.SCHOOL, est,
               unit_situation=US.LEGAL_PERSON, units=[school_unit("清溪县职业中等专业学校", 150, building="建立党总支")],
               doc_number=b.doc("清组字", est))
    b.branch_term(vs)
    b.sub_branches(vs, [("教师第一", 36, "school"), ("教师第二", 31, "school"), ("学生", 6, "student")], family="school")
    for sname, w in COUNTY_SCHOOLS:
        est = b.year_date(rng.randint(1986, 2012))
        s = b.org(edu.idx, f"中共{sname}支部委员会", f"{sname.removeprefix(COUNTY)}党支部", T.BRANCH, Cat.SCHOOL, est,
                  unit_situation=US.LEGAL_PERSON, units=[school_unit(sname, int(w * 3.5))], profile="school", weight=w,
                  family="school", doc_number=b.doc("清教工字" if est >= edu_est else "清组字", est))
        b.branch_term(s)
    for tname, kind, _, _, _, _ in TOWNSHIPS:
        if kind == "街道":
            continue
        tfull = f"{tname}{kind}"
        div_t = plan.orgs[plan.named[tfull]].division
        for label, w in (("中心小学", rng.uniform(16, 30)), ("中学", rng.uniform(20, 34))):
            if kind == "乡" and label == "中学" and rng.random() < 0.5:
                continue
            sname = f"{COUNTY}{tfull}{label}"
            est = b.year_date(rng.randint(1986, 2008))
            s = b.org(edu.idx, f"中共{sname}支部委员会", f"{tfull}{label}党支部", T.BRANCH, Cat.SCHOOL, est,
                      unit_situation=US.LEGAL_PERSON, units=[school_unit(sname, int(w * 2.6), div=div_t or div_county)],
                      profile="school", weight=w, family="school", division=div_t,
                      doc_number=b.doc("清教工字" if est >= edu_est else "清组字", est))
            b.branch_term(s)
    for i, w in enumerate((40, 38, 36)):
        label = "第" + "一二三"[i]
        est = b.year_date(2013 + 2 * i)
        r = b.org(edu.idx, full(f"教育系统离退休教师{label}支部委员会"), f"县教育系统离退休教师{label}党支部", T.BRANCH,
                  Cat.SCHOOL, est, profile="retired_teacher", weight=w, family="", doc_number=b.doc("清教工字", est))
        b.branch_term(r)
        b.party_groups(r, per=12, most=3)
    est = dt.date(2019, 5, 20)
    units = [b.unit(n, "52", "social_org", "建立联合党支部", division=div_county, employees=rng.randint(20, 60),
                    address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}教育体育局",
                    new_style=True) for n in ("清溪县育才学校", "清溪县启明星幼儿园", "清溪县博文培训学校")]
    j = b.org(edu.idx, full("民办学校联合支部委员会"), "县民办学校联合党支部", T.JOINT_BRANCH, Cat.SCHOOL, est,
              unit_situation=US.JOINT, units=units, profile="school", weight=12, family="school",
              doc_number=b.doc("清教工字", est))
    b.branch_term(j)

    # --- 卫健工委 -----------------------------------------------------------------------------------
    wj_est = dt.date(2019, 7, 1)
    wj = b.org(county.idx, full("委卫生健康工作委员会"), "县委卫健工委", T.WORKING_COMMITTEE, Cat.INSTITUTION, wj_est,
               committee_size=7, can_approve_probationary=True, term_started_on=_round_date(b.drng, today, (9, 12), 2019),
               term_years=5, doc_number="清发〔2019〕14号")
    wj.township = wj.idx
    plan.named["县委卫健工委"] = wj.idx

    def health_unit(name: str, employees: int, div: int = div_county, building: str = "建立党支部") -> int:
        return b.unit(name, "12", "institution", building, division=div, employees=employees,
                      address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}卫生健康委员会")

    u = b.unit("清溪县卫生健康委员会", "11", "agency", "建立党支部", division=div_county, employees=40,
               address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}人民政府")
    hb = b.org(wj.idx, full("卫生健康委员会机关支部委员会"), "县卫健委机关党支部", T.BRANCH, Cat.AGENCY, wj_est,
               unit_situation=US.LEGAL_PERSON, units=[u], profile="agency", weight=25, family="agency",
               doc_number=b.doc("清卫工字", wj_est))
    b.branch_term(hb)
    est = dt.date(1978, 11, 2)
    hosp = b.org(wj.idx, full("人民医院委员会"), "县人民医院党委", T.PRIMARY_COMMITTEE, Cat.INSTITUTION, est,
                 unit_situation=US.LEGAL_PERSON, units=[health_unit("清溪县人民医院", 760, building="建立党委")],
                 can_approve_probationary=True, doc_number="清组字〔1978〕40号")
    b.branch_term(hosp)
    b.sub_branches(hosp, [("机关", 34, "hospital"), ("内科", 42, "hospital"), ("外科", 41, "hospital"),
                          ("医技", 38, "hospital"), ("护理第一", 36, "hospital"), ("护理第二", 34, "hospital"),
                          ("离退休", 42, "retired_staff")],
                   family="hospital", groups_per=16)
    est = b.year_date(1994)
    tcm = b.org(wj.idx, full("中医院总支部委员会"), "县中医院党总支", T.GENERAL_BRANCH, Cat.INSTITUTION, est,
                unit_situation=US.LEGAL_PERSON, units=[health_unit("清溪县中医院", 380, building="建立党总支")],
                doc_number=b.doc("清组字", est))
    b.branch_term(tcm)
    b.sub_branches(tcm, [("第一", 40, "hospital"), ("第二", 38, "hospital"), ("第三", 34, "hospital")], family="hospital")
    est = b.year_date(2006)
    h2 = b.org(wj.idx, full("第二人民医院总支部委员会"), "县第二人民医院党总支", T.GENERAL_BRANCH, Cat.INSTITUTION, est,
               unit_situation=US.LEGAL_PERSON, units=[health_unit("清溪县第二人民医院", 300, building="建立党总支")],
               doc_number=b.doc("清组字", est))
    b.branch_term(h2)
    b.sub_branches(h2, [("第一", 36, "hospital"), ("第二", 33, "hospital")], family="hospital")
    for hname, w in (("清溪县妇幼保健院", 38), ("清溪县疾病预防控制中心", 30), ("清溪县卫生健康综合监督执法局", 12),
                     ("清溪县卫生健康系统离退休干部", 40)):
        est = b.year_date(rng.randint(1995, 2010))
        retired = hname.endswith("离退休干部")
        h = b.org(wj.idx, f"中共{hname}支部委员会", f"{hname.removeprefix(COUNTY)}党支部", T.BRANCH, Cat.INSTITUTION, est,
                  unit_situation=US.SAME_AS_PARENT if retired else US.LEGAL_PERSON,
                  units=[] if retired else [health_unit(hname, int(w * 4))],
                  profile="retired_staff" if retired else "hospital", weight=w,
                  family="" if retired else "hospital", doc_number=b.doc("清组字", est))
        b.branch_term(h)
    for tname, kind, _, _, _, _ in TOWNSHIPS:
        tfull = f"{tname}{kind}"
        hname = f"{COUNTY}{tfull}{'社区卫生服务中心' if kind == '街道' else '卫生院'}"
        div_t = plan.orgs[plan.named[tfull]].division
        w = rng.uniform(10, 20)
        est = b.year_date(rng.randint(1990, 2012))
        h = b.org(wj.idx, f"中共{hname}支部委员会", f"{tfull}{'社区卫生服务中心' if kind == '街道' else '卫生院'}党支部", T.BRANCH,
                  Cat.INSTITUTION, est, unit_situation=US.LEGAL_PERSON,
                  units=[health_unit(hname, int(w * 3), div=div_t or div_county)],
                  profile="hospital", weight=w, family="hospital", division=div_t,
                  doc_number=b.doc("清卫工字" if est >= wj_est else "清组字", est))
        b.branch_term(h)

    # --- 两新工委 -----------------------------------------------------------------------------------
    lx_est = dt.date(2018, 3, 28)
    lx = b.org(county.idx, full("委非公有制经济组织和社会组织工作委员会"), "县委两新工委", T.WORKING_COMMITTEE,
               Cat.PRIVATE_ENTERPRISE, lx_est, committee_size=7, can_approve_probationary=True,
               term_started_on=_round_date(b.drng, today, (3, 6), 2018), term_years=5, doc_number="清发〔2018〕9号")
    lx.township = lx.idx
    plan.named["县委两新工委"] = lx.idx
    for ename, w, new_business in PRIVATE_ENTERPRISES + [(n, rng.uniform(6, 18), False) for n in MORE_ENTERPRISES]:
        est = b.year_date(rng.randint(2003, 2022))
        short = ename.removeprefix("江西").removeprefix(COUNTY).removeprefix("清溪").replace("股份有限公司", "公司") \
            .replace("有限公司", "公司")
        u = b.unit(ename, "91", "private_enterprise", "建立党支部" if w < 50 else "建立党总支", division=div_county,
                   employees=int(w * rng.uniform(8, 20)), address=f"{PROVINCE}{PREFECTURE}{COUNTY}工业园区{rng.randint(1, 99)}号",
                   new_style=est.year >= 2015)
        if w >= 50:
            g = b.org(lx.idx, f"中共{ename}总支部委员会", f"{short}党总支", T.GENERAL_BRANCH, Cat.PRIVATE_ENTERPRISE, est,
                      unit_situation=US.LEGAL_PERSON, units=[u], doc_number=b.doc("清两新工字", est))
            b.branch_term(g)
            b.sub_branches(g, [("生产第一", w * 0.35, "private_enterprise"), ("生产第二", w * 0.3, "private_enterprise"),
                               ("经营管理", w * 0.35, "private_enterprise")],
                           family="private")
            continue
        e = b.org(lx.idx, f"中共{ename}支部委员会", f"{short}党支部", T.BRANCH, Cat.PRIVATE_ENTERPRISE, est,
                  unit_situation=US.LEGAL_PERSON, units=[u], profile="private_enterprise", weight=w, family="private",
                  is_new_business=new_business, doc_number=b.doc("清两新工字", est))
        b.branch_term(e)
    # a two-member branch set up in 2024: should have joined a joint branch (R3.1)
    est = b.date_in(dt.date(2024, 3, 1), dt.date(2024, 9, 30))
    u = b.unit("清溪县星河网络科技有限公司", "91", "private_enterprise", "建立党支部", division=div_county, employees=18,
               address=f"{PROVINCE}{PREFECTURE}{COUNTY}电商产业园8号", new_style=True)
    few = b.org(lx.idx, "中共清溪县星河网络科技有限公司支部委员会", "星河网络公司党支部", T.BRANCH, Cat.PRIVATE_ENTERPRISE, est,
                unit_situation=US.LEGAL_PERSON, units=[u], profile="private_enterprise", weight=2, family="",
                is_new_business=True, flags=frozenset({"few_members"}), doc_number=b.doc("清两新工字", est))
    b.branch_term(few)
    # joint branches of small enterprises (the second covers 6 units: over the limit of 5)
    small = list(SMALL_ENTERPRISES)
    rng.shuffle(small)
    for label, n_units, w in (("第一", 4, 13), ("第二", 6, 16)):
        est = b.year_date(2018 if label == "第一" else 2020)
        units = [b.unit(n, "91", "private_enterprise", "建立联合党支部", division=div_county, employees=rng.randint(8, 40),
                        address=f"{PROVINCE}{PREFECTURE}{COUNTY}工业园区{rng.randint(1, 99)}号", new_style=rng.random() < 0.5)
                 for n in small[:n_units]]
        small = small[n_units:]
        j = b.org(lx.idx, full(f"工业园区非公企业{label}联合支部委员会"), f"工业园区非公企业{label}联合党支部", T.JOINT_BRANCH,
                  Cat.PRIVATE_ENTERPRISE, est, unit_situation=US.JOINT, units=units, profile="private_enterprise",
                  weight=w, family="private", doc_number=b.doc("清两新工字", est))
        b.branch_term(j)
    est = dt.date(2019, 6, 28)
    units = [b.unit(n, "31", "social_org", "建立联合党支部", division=div_county, employees=rng.randint(5, 20),
                    address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}司法局",
                    new_style=True) for n in LAW_FIRMS]
    j = b.org(lx.idx, full("律师行业联合支部委员会"), "律师行业联合党支部", T.JOINT_BRANCH, Cat.SOCIAL_ORG, est,
              unit_situation=US.JOINT, units=units, profile="social_org", weight=10, family="",
              doc_number=b.doc("清两新工字", est))
    b.branch_term(j)
    for oname, w, authority in SOCIAL_ORGS:
        est = b.year_date(rng.randint(2015, 2022))
        u = b.unit(oname, authority, "social_org", "建立党支部", division=div_county, employees=rng.randint(5, 30),
                   address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}民政局",
                   new_style=True)
        s = b.org(lx.idx, f"中共{oname}支部委员会", f"{oname.removeprefix(COUNTY)}党支部", T.BRANCH, Cat.SOCIAL_ORG, est,
                  unit_situation=US.LEGAL_PERSON, units=[u], profile="social_org", weight=w, family="",
                  doc_number=b.doc("清两新工字", est))
        b.branch_term(s)

    # --- state enterprises directly under the county committee ---------------------------------------
    for ename, short, est, se_parts in (
        ("清溪县城市建设投资集团有限公司", "县城投集团", dt.date(2009, 8, 18),
         [("机关", 36), ("城发公司", 31), ("水务公司", 28), ("建设公司", 26), ("置业公司", 20)]),
        ("江西清溪农村商业银行股份有限公司", "清溪农商银行", dt.date(2012, 12, 6),
         [("机关", 31), ("城区支行", 35), ("乡镇支行第一", 28), ("乡镇支行第二", 27)]),
    ):
        u = b.unit(ename, "91", "state_enterprise", "建立党委", division=div_county,
                   employees=int(sum(x for _, x in se_parts)) * 4,
                   address=names.town_address(rng, f"{PROVINCE}{PREFECTURE}{COUNTY}"), supervisor=f"{COUNTY}国有资产监督管理办公室")
        se = b.org(county.idx, f"中共{ename}委员会", f"{short}党委", T.PRIMARY_COMMITTEE, Cat.STATE_ENTERPRISE, est,
                   unit_situation=US.LEGAL_PERSON, units=[u], can_approve_probationary=True, doc_number=b.doc("清组字", est))
        se.township = se.idx
        b.branch_term(se)
        parts_p = [(label, x, "state_enterprise") for label, x in se_parts]
        if short == "清溪农商银行":
            parts_p.append(("离退休", 22, "retired_staff"))
        b.sub_branches(se, parts_p, family="state")

    _plant_problems(b)
    _pick_account_branches(b)
    plan.finish()
    return plan


def _village(b: _Builder, t_org: OrgSpec, tfull: str, div_t: int, tcode: str, vname: str, vcode: int, is_she: bool,
             *, village: bool, weight: float | None = None) -> OrgSpec:
    rng = b.rng
    kind = "村" if village else "社区"
    place = f"{vname}{kind}"
    div_v = b.division(f"{COUNTY_CODE}{tcode}{vcode:03d}", f"{place}{'民委员会' if village else '居民委员会'}",
                       DIV_VILLAGE if village else DIV_COMMUNITY, div_t)
    b.plan.divisions[div_v].name = place
    if weight is None:  # village Party members: from a few dozen to a Party committee of 100+
        x = rng.random()
        weight = (rng.uniform(22, 42) if x < 0.3 else rng.uniform(42, 62) if x < 0.6
                  else rng.uniform(62, 110) if x < 0.95 else rng.uniform(115, 180))
    unit = b.unit(f"{COUNTY}{tfull}{place}{'民委员会' if village else '居民委员会'}", "54",
                  "village_committee" if village else "residents_committee", "", division=div_v,
                  employees=rng.randint(5, 9), address=f"{PROVINCE}{PREFECTURE}{COUNTY}{tfull}{place}")
    cat = Cat.RURAL if village else Cat.COMMUNITY
    if village and t_org.established_on.year <= 1984:
        est = b.date_in(t_org.established_on, dt.date(1985, 6, 30)) if rng.random() < 0.85 else \
            b.date_in(dt.date(1952, 1, 1), dt.date(1983, 12, 31))
    else:
        est = b.year_date(rng.randint(1992, 2012))
    clan = tuple(rng.sample(names.CLAN_SURNAMES, rng.choice((1, 2, 2, 3)))) if village else ()
    term = (_round_date(b.drng, b.today, (1, 4)), 5)
    base = f"中共{COUNTY}{tfull}{place}"
    common = dict(unit_situation=US.LEGAL_PERSON, units=[unit], division=div_v, clan=clan,
                  minority_share=0.28 if is_she else 0.0, place=place, term_started_on=term[0], term_years=term[1],
                  contact_phone=names.mobile(rng))
    profile = "village" if village else "community"
    family = f"village:{t_org.idx}" if village else "community"
    upgraded = None
    if weight >= 110:
        o = b.org(t_org.idx, f"{base}委员会", f"{place}党委", T.PRIMARY_COMMITTEE, cat, est, committee_size=7,
                  doc_number=b.doc("清组字", est), **common)
        o.approving_org = b.plan.county  # a village Party committee needs the county committee's approval (R3.12)
        b.plan.units[unit].org_building = "建立党委"
        k = max(3, math.ceil(weight / 40))
        labels = [("第" + "一二三四五六七"[i], weight / k, profile) for i in range(k)]
        if not village:  # grid branches and branches of retired members (most urban members are retired)
            grids = max(2, math.ceil(weight * 0.6 / 40))
            retired = max(1, math.ceil(weight * 0.4 / 40))
            labels = [("第" + "一二三四五六七"[i] + "网格", weight * 0.6 / grids, profile) for i in range(grids)]
            labels += [("离退休党员" + ("第" + "一二三"[i] if retired > 1 else ""), weight * 0.4 / retired, profile)
                       for i in range(retired)]
        b.sub_branches(o, labels, family=family, term=term, groups_per=14)
        return o
    general = weight > 56 or (weight > 42 and rng.random() < 0.85)
    if general:
        o = b.org(t_org.idx, f"{base}总支部委员会", f"{place}党总支", T.GENERAL_BRANCH, cat, est, committee_size=5,
                  doc_number=b.doc(f"{tfull[:2]}党字", est), **common)
        b.plan.units[unit].org_building = "建立党总支"
        if village and rng.random() < 0.25:
            # upgraded from a branch: members then sat in the (former) branch itself
            upgraded = b.date_in(dt.date(2016, 1, 1), dt.date(2021, 12, 31))
            o.events.append(OrgEventSpec("type_changed", upgraded, b.doc(f"{tfull[:2]}党字", upgraded),
                                         {"org_type": ["branch", "general_branch"]}))
        k = 2 if weight < 75 else 3
        parts = [("第" + "一二三"[i], weight / k, profile) for i in range(k)]
        b.sub_branches(o, parts, family=family, predecessor=upgraded is not None, term=term, groups_per=14,
                       established=upgraded)
        return o
    o = b.org(t_org.idx, f"{base}支部委员会", f"{place}党支部", T.BRANCH, cat, est, doc_number=b.doc(f"{tfull[:2]}党字", est),
              profile=profile, weight=weight, family=family, **common)
    b.plan.units[unit].org_building = "建立党支部"
    b.party_groups(o, per=15, most=3)
    return o


def _merge_villages(b: _Builder, t_org: OrgSpec, tfull: str, div_t: int, tcode: str, v_orgs: list[OrgSpec]) -> None:
    """合村并组: a former village merged into a neighbour in 2020 (its members transferred on that day)."""
    rng = b.rng
    target = next((v for v in v_orgs if v.org_type == T.BRANCH and v.parent == t_org.idx and v.weight < 44), None)
    if target is None:
        return
    vname = names.place_names(rng, 1, b.place_taken)[0]
    place = f"{vname}村"
    div_v = b.division(f"{COUNTY_CODE}{tcode}{290 + len(v_orgs):03d}", place, DIV_VILLAGE, div_t)
    unit = b.unit(f"{COUNTY}{tfull}{place}民委员会", "54", "village_committee", "建立党支部", division=div_v,
                  employees=5, address=f"{PROVINCE}{PREFECTURE}{COUNTY}{tfull}{place}")
    when = b.date_in(dt.date(2020, 5, 1), dt.date(2020, 8, 31))
    doc = b.doc(f"{tfull[:2]}党字", when)
    est = b.date_in(t_org.established_on, dt.date(1985, 6, 30))
    old = b.org(t_org.idx, f"中共{COUNTY}{tfull}{place}支部委员会", f"{place}党支部", T.BRANCH, Cat.RURAL, est,
                unit_situation=US.LEGAL_PERSON, units=[unit], division=div_v, dissolved_on=when, place=place,
                clan=target.clan, term_started_on=_round_date(b.drng, dt.date(2020, 12, 31), (1, 4), 2018), term_years=3,
                doc_number=b.doc(f"{tfull[:2]}党字", est))
    old.events.append(OrgEventSpec("merged", when, doc, {"into": target.name}, other_org=target.idx))
    old.events.append(OrgEventSpec("dissolved", when, doc, {"dissolved_on": [None, str(when)]}, note=f"并入{target.name}"))
    target.predecessor, target.predecessor_on, target.predecessor_doc = old.idx, when, doc
    target.predecessor_share = rng.uniform(0.3, 0.45)
    target.predecessor_note = f"党组织合并（{doc}）"


def _plant_problems(b: _Builder) -> None:
    """The structure problems the work queue should show (see the module docstring)."""
    rng = b.rng
    plan = b.plan
    plain = [o for o in plan.orgs if o.org_type == T.BRANCH and o.category == Cat.RURAL and o.dissolved_on is None
             and o.predecessor is None and 30 <= o.weight <= 44]
    rng.shuffle(plain)
    big, no_term, late_a, late_b, no_committee = plain[:5]
    big.weight = 50
    big.flags = big.flags | {"big_branch"}
    no_term.term_started_on, no_term.term_years = None, None
    no_term.flags = no_term.flags | {"no_term"}
    for late in (late_a, late_b):  # this round's election has not been held yet: the last term is on record
        assert late.term_started_on is not None
        late.term_started_on = _round_date(b.drng, dt.date(late.term_started_on.year - 1, 12, 31), (1, 4))
        late.flags = late.flags | {"late_election"}
    no_committee.flags = no_committee.flags | {"no_committee"}


def _pick_account_branches(b: _Builder) -> None:
    """The branches of the demo branch secretaries: an ordinary village (石门镇) and community (凤岗街道)."""
    plan = b.plan
    for township, category in (("石门镇", Cat.RURAL), ("凤岗街道", Cat.COMMUNITY)):
        t = plan.named[township]
        candidates = [o for o in plan.orgs if o.parent == t and o.org_type == T.BRANCH and o.category == category
                      and not o.flags and o.predecessor is None]
        # a big enough one if there is one (always so under the default seed; under the seeds of a city's
        # other counties, whose accounts are not created, any will do)
        candidates.sort(key=lambda o: o.weight < 30)
        if not candidates:
            continue
        chosen = candidates[0]
        chosen.flags = chosen.flags | {"account_branch"}
        plan.account_branches[township] = chosen.idx

