"""Write the example fruit shop's exports, as its workbench and back end hand them out.

Run from the repository root: .venv/bin/python examples/fruit-shop/make_sources.py
A second imported example, written after the importer was built and tuned on the tea shop, to
measure how import transfers to a shop nobody tuned it on: fresh fruit, where goods spoil, ship
cold and are not returnable for change of mind. The content is hand-written; the files are
committed. Formats differ from the tea shop's: the quick phrases are a UTF-8 CSV with a BOM and
other header names, the Q&A sheet is a CSV, the policy page is Markdown with headings.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from exports import write_csv, write_sheet  # noqa: E402

SOURCE = Path(__file__).parent / "source"

PHRASES = [
    ("欢迎语", "HY", "亲，欢迎来到果园鲜生，今天的水果都是产地直发，想吃点什么呀～"),
    ("售前", "TD", "我们的水果都是下单后当天现摘现发，不提前采摘囤货。"),
    ("售前", "BZ", "泡沫箱加冰袋发货，夏天全程冷链，路上不会捂坏。"),
    ("售前", "JG", "水果价格每天随产地行情调整，拍下时的价格就是成交价。"),
    ("售前", "MJ", "全店满99元减10元，满199元减25元，结算时自动抵扣。"),
    ("售前", "KJ", "亲，这已经是产地价了，真的没法再便宜了，多买几箱运费更划算哦。"),
    ("售中", "FH", "每天下午3点前付款当天发货，3点后付款次日发货。"),
    ("售中", "KD", "江浙沪次日达，其他地区一般2到3天到，偏远地区不发货。"),
    ("售中", "CK", "您的订单已经帮您备注加急了，一有单号马上同步给您。"),
    ("售中", "GD", "还没发货的订单可以改地址，已经发出的就改不了啦。"),
    ("售后", "HG", "收到坏果请在签收24小时内拍照，坏多少赔多少，按斤数退款。"),
    ("售后", "WL", "生鲜水果不支持七天无理由退换，质量问题我们一定负责。"),
    ("售后", "BQ", "实在抱歉，让您收到不好的水果，我这就给您处理。"),
    ("售后", "TK", "坏果赔付审核通过后，退款1到3个工作日原路返回。"),
    ("售后", "CC", "芒果和猕猴桃收到后常温放两三天，变软了再吃更甜。"),
    ("通用", "DD", "亲，这个我需要跟仓库同事核实一下，10分钟内回复您。"),
    ("通用", "JS", "感谢亲的支持，吃得满意记得再来哦，有问题随时找我～"),
]
QA = [
    ("芒果是什么品种", "哪种芒果|是台农吗", "是海南贵妃芒，红皮黄肉，香甜少纤维。", "海南贵妃芒"),
    ("芒果多大一个", "单果多重|个头大吗", "单果约200到300克，5斤装大概8到10个。", "海南贵妃芒"),
    ("橙子酸不酸", "甜吗|甜度多少", "赣南脐橙甜度在13度左右，酸甜适中，偏甜。", "赣南脐橙"),
    ("橙子打蜡吗", "有没有打蜡|有蜡吗", "我们的脐橙不打蜡不染色，采摘后只清洗分拣。", "赣南脐橙"),
    (
        "猕猴桃怎么催熟",
        "太硬了怎么办|怎么变软",
        "和苹果或香蕉一起装进袋子，常温放两三天就软了。",
        "徐香猕猴桃",
    ),
    ("车厘子是几J的", "多大果|果径多少", "这款是JJ级，果径28到30毫米。", "智利车厘子"),
    (
        "车厘子能放多久",
        "怎么保存|放冰箱吗",
        "收到后不要洗，装保鲜袋放冰箱冷藏，3到5天内吃完。",
        "智利车厘子",
    ),
    ("可以开发票吗", "开票|要发票", "可以开电子普通发票，确认收货后联系客服提供抬头和税号。", ""),
    (
        "能送到老家吗",
        "帮别人买|送人",
        "可以的，下单时填写对方的收货地址和电话就行，箱子里不放价格单。",
        "",
    ),
    (
        "坏果怎么赔",
        "烂了怎么办|坏了怎么处理",
        "签收24小时内拍照发给客服，按坏果重量退款，不用寄回。",
        "",
    ),
    (
        "可以指定日期送吗",
        "过几天再发|指定发货",
        "可以备注希望的发货日期，最晚可以延后7天发货。",
        "",
    ),
]
PRODUCTS = [
    (
        "FR-MG-5",
        "海南贵妃芒 5斤装",
        "芒果",
        59.9,
        "海南三亚",
        "5斤（含箱约5.5斤）",
        "常温",
        "红皮黄肉",
    ),
    (
        "FR-CZ-10",
        "赣南脐橙 10斤装",
        "柑橘",
        69,
        "江西赣州",
        "10斤，果径75到85毫米",
        "常温阴凉处",
        "甜度13度左右",
    ),
    (
        "FR-MHT-30",
        "徐香猕猴桃 30个装",
        "猕猴桃",
        79,
        "陕西周至",
        "30个，单果约90克",
        "常温催熟后冷藏",
        "绿心",
    ),
    ("FR-CLZ-2", "智利车厘子 2斤装", "进口水果", 168, "智利", "2斤，JJ级", "冷藏", "深红色，脆甜"),
    ("FR-LZ-3", "妃子笑荔枝 3斤装", "荔枝", 89, "广东茂名", "3斤", "冷藏", "顺丰冷链"),
]
PRODUCT_HEADERS = ["商品编号", "宝贝名称", "品类", "售价", "产地", "规格", "储存", "特点"]
POLICY = """# 果园鲜生售后须知

## 发货
每天下午3点前付款的订单当天发货，3点后付款次日发货。默认顺丰或京东快递，江浙沪次日达，其他地区2到3天，新疆、西藏、青海等偏远地区暂不发货。

## 坏果赔付
收到坏果、压伤，请在签收后24小时内拍照（坏果和整箱称重各一张）联系客服，按坏果重量退款，无需寄回。超过24小时反馈的不再赔付。

## 退换货
生鲜水果属于鲜活易腐商品，不支持七天无理由退换货。拒收或地址错误导致的退回，运费由买家承担。

## 退款
退款审核通过后1到3个工作日原路退回。

## 发票
支持电子普通发票，确认收货后联系客服开具，不开增值税专用发票。
"""


def main() -> None:
    """Write the four source files."""
    SOURCE.mkdir(parents=True, exist_ok=True)
    write_csv(SOURCE / "快捷回复.csv", ["场景", "快捷键", "回复内容"], PHRASES, "utf-8-sig")
    qa_header = ["标准问题", "相似问题", "标准答案", "关联商品"]
    write_csv(SOURCE / "机器人问答.csv", qa_header, QA, "utf-8")
    write_sheet(SOURCE / "商品列表.xlsx", "在售商品", PRODUCT_HEADERS, PRODUCTS)
    (SOURCE / "售后须知.md").write_text(POLICY, encoding="utf-8")


if __name__ == "__main__":
    main()
