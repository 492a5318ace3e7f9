"""How the offline drafter assembles a reply from pieces."""

from copilot.drafting.offline import _Reply


def test_a_reply_never_says_the_same_sentence_twice():
    reply = _Reply("直接解答")
    reply.add("您好～支持七天无理由退货。寄回运费由您承担。")
    reply.add("支持七天无理由退货哦！签收后在订单页申请就可以。")  # its first sentence was said
    reply.add("寄回运费由您来承担。")  # nothing new: not added at all
    assert (
        reply.draft().text
        == "您好～支持七天无理由退货。寄回运费由您承担。签收后在订单页申请就可以。"
    )
