"""Realistic Chinese customer names, phones and addresses for the benchmark data.

Names must be unique after ``normalize_name`` (CUS-2 makes the normalised name a unique key), so
company names are built from city + brand + industry (the suffix is stripped by normalisation and
does not count), and person names from surname + given name, drawn until unused.

Two-character terms are selective but present: the brand 建国 is drawn for about 0.4 % of companies,
and 建国 is also a (rare) given name.
"""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CITIES = _words(
    "北京 上海 天津 重庆 杭州 宁波 温州 绍兴 嘉兴 湖州 金华 台州 南京 苏州 无锡 常州 南通 扬州 徐州 盐城 "
    "合肥 芜湖 福州 厦门 泉州 济南 青岛 烟台 潍坊 临沂 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 岳阳 广州 深圳 "
    "东莞 佛山 中山 珠海 惠州 汕头 南宁 柳州 桂林 海口 成都 绵阳 贵阳 遵义 昆明 西安 宝鸡 兰州 西宁 银川 "
    "乌鲁木齐 拉萨 呼和浩特 包头 沈阳 大连 鞍山 长春 吉林 哈尔滨 大庆 石家庄 唐山 保定 太原 大同 南昌 赣州 "
    "九江 常熟 昆山 江阴 义乌 慈溪 余姚 诸暨 晋江 石狮"
)
PROVINCE_OF = {
    **dict.fromkeys(_words("杭州 宁波 温州 绍兴 嘉兴 湖州 金华 台州 义乌 慈溪 余姚 诸暨"), "浙江"),
    **dict.fromkeys(_words("南京 苏州 无锡 常州 南通 扬州 徐州 盐城 常熟 昆山 江阴"), "江苏"),
    **dict.fromkeys(_words("广州 深圳 东莞 佛山 中山 珠海 惠州 汕头"), "广东"),
    **dict.fromkeys(_words("济南 青岛 烟台 潍坊 临沂"), "山东"),
    **dict.fromkeys(_words("福州 厦门 泉州 晋江 石狮"), "福建"),
}
# Auspicious characters that brands are made of; any pair is a plausible 字号.
BRAND_CHARS = (
    "华盛鑫达恒泰宏远兴隆佳瑞康福永安昌荣金银丰润德信诚和新天中东方海洋明光正大宝通力豪立博凯嘉"
    "联合美亚锦云旭星辰龙腾飞扬晨辉耀祥顺益利源汇聚创智科奥威普精工宇宙峰岭川江河湖"
)
NAMED_BRANDS = ("长城", "东方", "中天", "远大", "万达", "华夏", "神州", "九州", "红星", "光明", "前进", "胜利")
INDUSTRIES = _words(
    "机械 电子 科技 贸易 化工 建材 食品 纺织 医疗器械 物流 信息技术 汽车配件 环保设备 包装 塑料制品 五金 "
    "光电 新材料 农业科技 制药 电气 仪器仪表 家具 服饰 印刷 钢结构 水处理 暖通 自动化 模具 轴承 阀门 "
    "泵业 电缆 照明 陶瓷 玻璃 橡胶 纸业 酒店管理 教育咨询 建筑工程 装饰工程 网络科技 生物科技 能源 "
    "实业 投资管理 供应链管理 商贸 文化传媒 软件 通信设备 医药 精密制造 工业设备 农机"
)
SUFFIXES = (("有限公司", 62), ("股份有限公司", 12), ("有限责任公司", 10), ("集团有限公司", 4), ("厂", 6), ("", 6))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红燕鹏辉婷建国志成海波斌宇浩凯峰亮俊"
    "鑫琳晶雪梅莉欣怡佳慧颖晨阳旭东晓丹文博嘉瑞思雨子涵轩睿泽天一诗雅若云飞龙虎"
)
COMMON_GIVEN = ("建华", "国强", "秀英", "桂英", "志强", "秀兰", "海燕", "建军", "晓东", "丽华", "春梅", "玉兰")
STREETS = _words(
    "人民路 解放路 中山路 建设路 建国路 新华路 和平路 胜利路 文化路 长江路 黄河路 科技路 工业大道 "
    "开发区大道 滨江路 环城路 学院路 东风路 迎宾大道 高新路"
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 170 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
)
AREA_CODES = ("010", "021", "022", "023", "0571", "0574", "0577", "025", "0512", "0510", "020", "0755", "0769")
EMAIL_DOMAINS = ("163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "aliyun.com", "yahoo.com.cn")


class NameMaker:
    """Draws unique customer names; ``used`` holds the uniqueness key of every name given out."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self._suffixes = [s for s, _w in SUFFIXES]
        self._suffix_weights = [w for _s, w in SUFFIXES]

    def _brand(self) -> str:
        r = self.rng.random()
        if r < 0.004:
            return "建国"
        if r < 0.03:
            return self.rng.choice(NAMED_BRANDS)
        return self.rng.choice(BRAND_CHARS) + self.rng.choice(BRAND_CHARS)

    def company(self) -> tuple[str, str, str]:
        """(name, city, industry): e.g. ('杭州华盛机械有限公司', '杭州', '机械')."""
        rng = self.rng
        for _ in range(50):
            city = rng.choice(CITIES)
            industry = rng.choice(INDUSTRIES)
            core = city + self._brand() + industry
            if core not in self.used:
                self.used.add(core)
                suffix = rng.choices(self._suffixes, self._suffix_weights)[0]
                return core + suffix, city, industry
        raise RuntimeError("company name space exhausted")

    def person(self) -> str:
        rng = self.rng
        for attempt in range(60):
            surname = rng.choice(SURNAMES)
            r = rng.random()
            if r < 0.02:
                given = "建国"
            elif r < 0.10:
                given = rng.choice(COMMON_GIVEN)
            elif r < 0.22 and attempt < 10:
                given = rng.choice(GIVEN_CHARS)
            else:
                given = rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
            name = surname + given
            if name not in self.used:
                self.used.add(name)
                return name
        # Crowded: a three-character given name is still a plausible person's name.
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
            if name not in self.used:
                self.used.add(name)
                return name


class PhoneMaker:
    """Unique phones in the ways people type them (normalised they are digits only)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[int] = set()

    def mobile_digits(self) -> str:
        rng = self.rng
        while True:
            digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            key = int(digits)
            if key not in self.used:
                self.used.add(key)
                return digits

    def landline_digits(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            area = rng.choice(AREA_CODES)
            local = (
                f"{rng.randrange(2_000_000, 99_999_999):08d}"
                if len(area) == 3
                else f"{rng.randrange(2_000_000, 9_999_999)}"
            )
            key = int(area + local)
            if key not in self.used:
                self.used.add(key)
                return area, local

    def phone(self, company: bool) -> str:
        """A raw phone as typed: '13912345678', '139-1234-5678', '+86 139 1234 5678' or '0571-87654321'."""
        rng = self.rng
        if company and rng.random() < 0.35:
            area, local = self.landline_digits()
            return f"{area}-{local}"
        d = self.mobile_digits()
        r = rng.random()
        if r < 0.70:
            return d
        if r < 0.85:
            return f"{d[:3]}-{d[3:7]}-{d[7:]}"
        if r < 0.95:
            return f"+86 {d[:3]} {d[3:7]} {d[7:]}"
        return f"{d[:3]} {d[3:7]} {d[7:]}"


def address_for(rng: random.Random, city: str) -> str:
    return f"{PROVINCE_OF.get(city, '')}{city}市{rng.choice(STREETS)}{rng.randrange(1, 999)}号"


ACTIVITY_SUBJECTS = {
    "visit": ("客户来访洽谈", "来访参观工厂", "来访了解新产品", "商务洽谈"),
    "home_visit": ("上门拜访", "上门产品演示", "上门安装调试回访", "拜访采购负责人"),
    "call": ("电话回访", "来电咨询报价", "电话跟进需求", "去电确认订单", "来电询问交期"),
    "letter": ("来函询价", "寄送产品资料", "来函投诉处理"),
    "email": ("邮件发送报价单", "邮件确认技术参数", "邮件跟进合同"),
    "sms": ("短信节日问候", "短信提醒付款", "短信回访"),
    "message": ("代为留言：请回电", "留言：客户询问报价", "留言：约下周拜访"),
}
ACTIVITY_KINDS = (
    ("call", 38),
    ("visit", 12),
    ("home_visit", 14),
    ("email", 14),
    ("sms", 10),
    ("letter", 4),
    ("message", 8),
)
QUALIFYING_KINDS = frozenset({"visit", "home_visit", "call"})
PURPOSES = ("了解采购计划", "推荐新产品", "跟进报价", "催收货款", "处理售后问题", "维护客户关系", "确认交货时间")
SUMMARIES = (
    "客户对新款设备感兴趣，要求提供详细技术参数和报价，计划下月内部评审后决定。",
    "采购负责人表示今年预算有限，可先小批量试用，后续视效果追加订单。",
    "客户反映上批货物包装破损，已登记并安排售后人员跟进处理。",
    "沟通了付款方式和账期，客户希望延长至六十天，需请示领导。",
    "介绍了公司最新产品线及成功案例，客户表示会转交技术部门评估。",
    "客户近期在比较两家供应商，价格是主要考虑因素，建议尽快给出优惠方案。",
    "确认了交货地点和时间，客户要求提前三天电话通知。",
    "节日问候，顺便了解客户近期生产情况，暂无新的采购需求。",
)
RESULTS = ("有意向，待报价", "已发送资料", "约定下次拜访", "暂无需求", "已成交", "需领导审批", "问题已解决", "")
LOCATIONS = ("客户公司", "我司展厅", "电话", "", "工厂车间", "展会现场", "客户办公室")
NEEDS = (
    "需要一批数控设备，预算约五十万元",
    "寻找稳定的原材料供应商",
    "关注售后服务和交货周期",
    "计划明年扩建生产线",
    "",
    "",
    "对价格比较敏感，要求提供样品",
)
