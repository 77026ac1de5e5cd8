"""Chinese word lists for the demo customers and their contact log (an oil-machinery maker's 营销中心).

Everything is written in Simplified Chinese; Hong Kong / Macau / Taiwan customers are converted to
Traditional characters with opencc when generated.
"""

from __future__ import annotations

# (city, province, telephone area code) — mainland regions, weighted towards oilfields and the east.
MAINLAND_REGIONS: list[tuple[str, str, str]] = [
    ("杭州", "浙江", "0571"),
    ("宁波", "浙江", "0574"),
    ("苏州", "江苏", "0512"),
    ("无锡", "江苏", "0510"),
    ("南京", "江苏", "025"),
    ("广州", "广东", "020"),
    ("深圳", "广东", "0755"),
    ("佛山", "广东", "0757"),
    ("北京", "北京", "010"),
    ("天津", "天津", "022"),
    ("青州", "山东", "0536"),
    ("潍坊", "山东", "0536"),
    ("济南", "山东", "0531"),
    ("青岛", "山东", "0532"),
    ("东营", "山东", "0546"),
    ("大庆", "黑龙江", "0459"),
    ("克拉玛依", "新疆", "0990"),
    ("库尔勒", "新疆", "0996"),
    ("乌鲁木齐", "新疆", "0991"),
    ("西安", "陕西", "029"),
    ("榆林", "陕西", "0912"),
    ("庆阳", "甘肃", "0934"),
    ("兰州", "甘肃", "0931"),
    ("成都", "四川", "028"),
    ("重庆", "重庆", "023"),
    ("武汉", "湖北", "027"),
    ("长沙", "湖南", "0731"),
    ("郑州", "河南", "0371"),
    ("濮阳", "河南", "0393"),
    ("沈阳", "辽宁", "024"),
    ("盘锦", "辽宁", "0427"),
    ("松原", "吉林", "0438"),
    ("任丘", "河北", "0317"),
    ("石家庄", "河北", "0311"),
    ("太原", "山西", "0351"),
    ("鄂尔多斯", "内蒙古", "0477"),
    ("合肥", "安徽", "0551"),
    ("福州", "福建", "0591"),
    ("昆明", "云南", "0871"),
]

# The 上海办事处 looks after Shanghai and the surrounding Yangtze delta.
EAST_REGIONS: list[tuple[str, str, str]] = [
    ("上海", "上海", "021"),
    ("上海", "上海", "021"),
    ("苏州", "江苏", "0512"),
    ("无锡", "江苏", "0510"),
    ("南通", "江苏", "0513"),
    ("嘉兴", "浙江", "0573"),
    ("宁波", "浙江", "0574"),
]

# Hong Kong, Macau, Taiwan: (city, region, calling code, number pattern with '#' for a digit, opencc
# conversion). Written here in Simplified; the generator converts names and places to Traditional.
TRADITIONAL_REGIONS: list[tuple[str, str, str, str, str]] = [
    ("香港", "香港", "852", "2### ####", "s2hk"),
    ("九龙", "香港", "852", "3### ####", "s2hk"),
    ("新界", "香港", "852", "2### ####", "s2hk"),
    ("澳门", "澳门", "853", "28## ####", "s2hk"),
    ("台北", "台湾", "886", "2 2### ####", "s2tw"),
    ("高雄", "台湾", "886", "7 3## ####", "s2tw"),
    ("台中", "台湾", "886", "4 2### ####", "s2tw"),
    ("新竹", "台湾", "886", "3 5## ####", "s2tw"),
]

# (city, country, calling code, number pattern) — agents and contractors abroad, handled by 国际部.
OVERSEAS_REGIONS: list[tuple[str, str, str, str]] = [
    ("迪拜", "阿联酋", "971", "4 ### ####"),
    ("阿拉木图", "哈萨克斯坦", "7", "727 ### ####"),
    ("塔什干", "乌兹别克斯坦", "998", "71 ### ####"),
    ("莫斯科", "俄罗斯", "7", "495 ### ####"),
    ("雅加达", "印度尼西亚", "62", "21 #### ####"),
    ("卡拉奇", "巴基斯坦", "92", "21 #### ####"),
    ("拉各斯", "尼日利亚", "234", "1 ### ####"),
    ("罗安达", "安哥拉", "244", "222 ### ###"),
    ("利雅得", "沙特阿拉伯", "966", "11 ### ####"),
    ("乌兰巴托", "蒙古", "976", "11 ## ####"),
]

BRAND_WORDS = [
    "恒达", "华东", "宏远", "鑫源", "泰山", "金石", "盛世", "永兴", "中岳", "天成", "博大", "瑞丰", "通达",
    "振华", "海川", "长城", "新星", "东方", "顺发", "凯瑞", "德隆", "安泰", "佳禾", "联创", "正大", "汇通",
    "锦程", "万通", "鼎盛", "力拓", "蓝海", "星河", "巨能", "华瑞", "宏图", "兴业", "聚源", "金川", "卓越",
    "远航", "华信", "昌盛", "嘉和", "润泽", "启航", "广源", "同创", "协力", "福瑞", "腾飞", "元亨", "众诚",
    "天宇", "华夏", "金鹰", "九州", "恒泰", "北辰", "昆仑", "祁连",
]  # fmt: skip

# (word in the company name, industry recorded on the customer)
INDUSTRIES: list[tuple[str, str]] = [
    ("机械", "机械制造"),
    ("石油装备", "石油装备"),
    ("钻探工程", "钻探工程"),
    ("能源科技", "能源"),
    ("矿业", "矿山开采"),
    ("地质勘察", "地质勘探"),
    ("水井工程", "水井钻探"),
    ("建设工程", "工程建设"),
    ("石化", "石油化工"),
    ("贸易", "进出口贸易"),
    ("油田服务", "油田服务"),
    ("重工", "重型机械"),
    ("机电设备", "机电设备"),
    ("物资", "物资供应"),
    ("管道工程", "管道工程"),
    ("地热开发", "地热能源"),
]

# Weighted: plain 有限公司 is by far the commonest.
COMPANY_SUFFIXES = ["有限公司"] * 6 + ["股份有限公司"] * 2 + ["有限责任公司"] * 2 + ["集团有限公司", "厂"]

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_NAMES = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "国庆", "海燕", "晓东", "文博", "子轩", "浩然",
    "雨桐", "思远", "立新", "红梅", "建国", "玉兰", "德明", "春生", "宏伟", "俊杰", "晨阳", "佳怡", "欣怡",
    "振宇", "鹏飞", "婷婷", "丹", "斌", "鑫", "亮", "永刚", "建军", "学文", "志刚", "海波", "金凤", "淑珍",
    "长江", "保国", "树林", "卫东", "少华", "玉珍", "爱民", "文静", "子涵", "一鸣", "梓萱", "宇航", "嘉怡",
]  # fmt: skip

CONTACT_TITLES = [
    "总经理", "副总经理", "采购经理", "设备部主任", "技术总工", "项目经理", "采购员", "董事长", "财务经理",
    "钻井队队长", "机务主管", "工程部经理",
]  # fmt: skip
PERSON_TITLES = ["个体钻井户", "施工队负责人", "设备租赁", "工程承包人", "打井师傅"]

PRODUCTS = [
    "水井钻机", "岩心钻机", "车载钻机", "履带式钻机", "修井机", "泥浆泵", "钻杆", "牙轮钻头", "潜孔锤",
    "螺杆空压机", "工程钻机", "地热钻机", "钻机配件", "泥浆净化设备",
]  # fmt: skip
CONCERNS = ["价格", "交货期", "售后服务", "配件供应", "钻进深度", "付款方式", "运输安装", "操作培训", "质保期限"]

HEARD_FROM = [
    "展会", "朋友介绍", "百度搜索", "行业杂志", "老客户推荐", "微信公众号", "阿里巴巴", "抖音", "企业官网",
    "开发信", "电话推广", "石油装备网",
]  # fmt: skip
PREVIOUS_BRANDS = ["", "", "", "恒力牌", "远东牌", "进口品牌", "本地小厂", "二手设备", "同行租赁"]

MAIL_DOMAINS = ["163.com", "126.com", "qq.com", "sina.com", "139.com", "aliyun.com"]
EMAIL_PREFIXES = ["sales", "info", "purchase", "office", "service", "caigou", "jishu"]

# Sources (CUS-1) per customer segment, with weights.
SOURCES: dict[str, list[tuple[str, int]]] = {
    "domestic": [
        ("visit", 3), ("call", 4), ("letter", 1), ("fair", 3), ("web", 4), ("outreach", 1), ("referral", 3),
        ("science", 1), ("other", 1),
    ],
    "shanghai": [("visit", 3), ("call", 3), ("fair", 2), ("web", 3), ("referral", 2), ("other", 1)],
    "telesales": [("telesales", 1)],
    "overseas": [("web", 4), ("outreach", 4), ("fair", 3), ("letter", 2), ("referral", 1)],
    "traditional": [("web", 3), ("fair", 3), ("outreach", 2), ("call", 2), ("referral", 2)],
}  # fmt: skip

# --- activity wording (5W1H: who, what, when, where, why, how) -----------------------------
VISIT_SUBJECTS = ["{contact}来公司考察{product}", "{contact}来访洽谈{product}采购", "接待{contact}参观生产车间"]
VISIT_PLACES = ["公司接待室", "洽谈区", "生产车间", "展厅"]
HOME_VISIT_SUBJECTS = ["上门拜访{customer}", "到{city}施工现场回访{product}使用情况", "赴{city}拜访{contact}"]
CALL_OUT_SUBJECTS = ["电话跟进{product}报价", "电话回访{product}使用情况", "电话确认{product}交货时间"]
CALL_IN_SUBJECTS = ["{contact}来电咨询{product}", "客户来电询问{concern}", "{contact}来电反馈{product}问题"]
LETTER_IN_SUBJECTS = ["收到{customer}来函询价", "收到{contact}盖章需求函", "收到{contact}来函反馈{concern}"]
LETTER_OUT_SUBJECTS = ["寄送{product}产品样本及报价函", "寄送{product}合同及说明书"]
EMAIL_IN_SUBJECTS = ["收到{contact}询盘邮件", "{contact}来邮件询问{concern}", "收到{contact}的{product}技术要求"]
EMAIL_OUT_SUBJECTS = ["发送{product}技术参数及报价", "邮件确认{product}配置清单", "发送{product}发货资料"]
SMS_SUBJECTS = ["节日问候短信", "发送报价提醒短信", "发送发货通知短信", "发送展会邀请短信"]
MESSAGE_SUBJECTS = ["{contact}来电留言：询问{product}报价", "{contact}来电留言：请回电确认{concern}"]

PURPOSES = [
    "了解客户对{product}的需求", "推进{product}报价", "解答客户关于{concern}的疑问", "维护客户关系",
    "跟进合同回款", "确认{product}配置方案", "邀请客户参加展会",
]  # fmt: skip
SUMMARIES = [
    "{when}通过{channel}与{contact}沟通{product}采购事宜，客户重点关注{concern}，已介绍我司{product}的配置与优势。",
    "{when}通过{channel}向{contact}介绍{product}技术参数，客户计划{month}月内确定采购数量，主要顾虑{concern}。",
    "{when}就{product}报价与{contact}交换意见（{channel}），客户希望在{concern}方面给予支持，已记录并反馈主管。",
]  # fmt: skip
MEETING_SUMMARIES = [
    "{when}在{place}与{contact}会谈，客户已使用{brand}设备，对{concern}有要求，约定下次提供{product}详细方案。",
    "{when}在{place}接待{contact}，演示{product}操作，客户关注{concern}，计划{month}月内确定采购数量。",
    "{when}在{place}与{contact}面谈{product}合作，客户希望在{concern}方面给予支持，已记录并反馈主管。",
]  # fmt: skip
RESULTS = [
    "客户认可方案，待正式报价", "约定下周技术交流", "已发送报价单", "客户需内部评估，两周后回复",
    "签订意向书", "客户确认采购数量", "已安排技术人员对接", "客户暂无需求，保持联系", "已转技术报价",
    "客户同意到厂考察",
]  # fmt: skip
CALL_NO_ANSWER = "拨打{phone}未接通，稍后再联系"
LETTER_RESULTS = ["已回函", "已寄出资料", "已回函并附报价"]
EMAIL_RESULTS = ["客户已回复确认", "已发送，待客户回复", "客户要求补充资料"]
SMS_RESULTS = ["已发送"]

ROADS = [
    "人民路", "建设路", "解放路", "工业大道", "经济开发区长江路", "高新区科技路", "滨河路", "胜利路", "石油大道",
    "黄河路", "中山路", "新华路", "光明路", "东风路",
]  # fmt: skip
