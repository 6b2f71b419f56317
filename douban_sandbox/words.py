"""Word tables the catalog invents names, titles and summaries from.

Everything the sandbox shows is made up from these tables: no text comes from Douban. The
category words (genres, regions, languages) are the vocabulary Douban's pages use, so parsers
meet the same values they meet on the real site.
"""

from __future__ import annotations

# Chinese surnames and given-name characters with their pinyin, for people from Chinese-speaking
# regions: "陈凯歌" is shown as "陈凯歌 Kaige Chen" on Top250 lines.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
    ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
    ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
    ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("罗", "Luo"), ("高", "Gao"),
    ("梁", "Liang"), ("宋", "Song"), ("唐", "Tang"), ("许", "Xu"), ("邓", "Deng"),
    ("冯", "Feng"), ("韩", "Han"), ("曹", "Cao"), ("彭", "Peng"), ("萧", "Xiao"),
)  # fmt: skip
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("明", "ming"), ("华", "hua"), ("伟", "wei"), ("芳", "fang"), ("静", "jing"),
    ("强", "qiang"), ("丽", "li"), ("军", "jun"), ("洋", "yang"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("超", "chao"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("晨", "chen"), ("宇", "yu"),
    ("浩", "hao"), ("欣", "xin"), ("雪", "xue"), ("松", "song"), ("逸", "yi"),
    ("岚", "lan"), ("川", "chuan"), ("舟", "zhou"), ("远", "yuan"), ("青", "qing"),
)  # fmt: skip

# Syllables of invented Western names, each with a Chinese transliteration, so that a name
# reads "卡洛·韦伯 Carlo Weber"-like without being anybody's name.
WESTERN_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("ka", "卡"), ("ro", "罗"), ("len", "伦"), ("mi", "米"), ("na", "娜"),
    ("ter", "特"), ("son", "森"), ("da", "达"), ("vi", "维"), ("lo", "洛"),
    ("ri", "里"), ("be", "贝"), ("ne", "内"), ("sa", "萨"), ("to", "托"),
    ("mar", "马"), ("el", "埃尔"), ("an", "安"), ("dre", "德雷"), ("li", "利"),
    ("ga", "加"), ("ton", "顿"), ("ber", "伯"), ("ha", "哈"), ("ly", "莉"),
    ("fi", "菲"), ("dor", "多"), ("wen", "温"), ("kes", "克斯"), ("mo", "莫"),
)  # fmt: skip

# Title words with an English counterpart: a foreign film's original title is the English
# phrase, its Chinese title the Chinese one.
TITLE_WORDS: tuple[tuple[str, str], ...] = (
    ("夜", "Night"), ("海", "Sea"), ("城", "City"), ("风", "Wind"), ("火", "Fire"),
    ("星", "Star"), ("河", "River"), ("山", "Mountain"), ("梦", "Dream"), ("雨", "Rain"),
    ("光", "Light"), ("影", "Shadow"), ("岛", "Island"), ("门", "Gate"), ("路", "Road"),
    ("雪", "Snow"), ("镜", "Mirror"), ("钟", "Clock"), ("桥", "Bridge"), ("塔", "Tower"),
    ("林", "Forest"), ("湖", "Lake"), ("舟", "Boat"), ("信", "Letter"), ("花", "Flower"),
)  # fmt: skip
TITLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("最后的", "The Last"), ("寂静的", "The Silent"), ("遥远的", "The Distant"),
    ("燃烧的", "The Burning"), ("看不见的", "The Invisible"), ("漫长的", "The Long"),
    ("第七", "The Seventh"), ("失落的", "The Lost"), ("破碎的", "The Broken"),
)  # fmt: skip
TITLE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("之歌", "Song"), ("往事", "Story"), ("行动", "Operation"), ("之旅", "Journey"),
    ("密码", "Code"), ("迷宫", "Maze"), ("回声", "Echo"), ("守望者", "Watchers"),
)  # fmt: skip

GENRES: tuple[str, ...] = (
    "剧情", "喜剧", "动作", "爱情", "科幻", "动画", "悬疑", "惊悚", "恐怖", "犯罪",
    "音乐", "歌舞", "传记", "历史", "战争", "奇幻", "冒险", "灾难", "武侠", "家庭",
)  # fmt: skip

# Regions as Douban names them, with the language a film from there is mostly in and whether
# the region is Chinese-speaking (such films have no separate original title).
REGIONS: tuple[tuple[str, str, bool], ...] = (
    ("中国大陆", "汉语普通话", True), ("中国香港", "粤语", True), ("中国台湾", "汉语普通话", True),
    ("美国", "英语", False), ("英国", "英语", False), ("日本", "日语", False),
    ("韩国", "韩语", False), ("法国", "法语", False), ("德国", "德语", False),
    ("意大利", "意大利语", False), ("西班牙", "西班牙语", False), ("印度", "印地语", False),
    ("加拿大", "英语", False), ("澳大利亚", "英语", False), ("泰国", "泰语", False),
)  # fmt: skip
EXTRA_LANGUAGES: tuple[str, ...] = ("英语", "法语", "日语", "粤语", "俄语", "拉丁语")
ALIAS_REGION_SUFFIXES: tuple[str, ...] = ("(港)", "(台)")

# Festival or re-release suffixes of extra release dates, as in "2010-09-01(中国大陆重映)".
FESTIVALS: tuple[str, ...] = ("多伦多电影节", "戛纳电影节", "柏林电影节", "上海国际电影节")

# Building blocks of invented plot summaries and Top250 one-line quotes.
PLACES: tuple[str, ...] = (
    "沿海小镇", "边境山村", "雾中港口", "旧城区", "深山林场", "海上钻井平台", "北方工厂",
    "孤岛灯塔",
)  # fmt: skip
JOBS: tuple[str, ...] = (
    "邮递员", "钟表匠", "退休警探", "夜班司机", "年轻记者", "船长", "小学教师", "修车工",
)  # fmt: skip
EVENTS: tuple[str, ...] = (
    "一桩陈年旧案", "一场突如其来的暴风雪", "一封迟到三十年的信", "一次失败的交易",
    "一场家族纷争", "一段被遗忘的往事", "一次意外的停电", "一场小镇选举",
)  # fmt: skip
TURNS: tuple[str, ...] = (
    "随着真相一点点浮出水面，每个人都不得不重新面对自己的选择",
    "两人在相互猜疑中结成了脆弱的同盟",
    "一个看似平常的夜晚彻底改变了所有人的命运",
    "时间所剩无几，而答案远比想象中复杂",
    "这段旅程让他重新认识了家人，也重新认识了自己",
)  # fmt: skip
QUOTE_ADJECTIVES: tuple[str, ...] = ("安静", "温柔", "锋利", "漫长", "明亮", "孤独", "滚烫")
QUOTE_NOUNS: tuple[str, ...] = ("告别", "守候", "远行", "和解", "青春", "勇气", "记忆")

# Cities served at /cinema/later/<city>/ and /cinema/nowplaying/<city>/.
CITIES: tuple[tuple[str, str], ...] = (
    ("beijing", "北京"), ("shanghai", "上海"), ("guangzhou", "广州"), ("shenzhen", "深圳"),
    ("chengdu", "成都"), ("hangzhou", "杭州"), ("wuhan", "武汉"), ("xian", "西安"),
    ("nanjing", "南京"), ("chongqing", "重庆"),
)  # fmt: skip
