"""Whether a senior colleague must take over; every reason is written for the agent to read."""

from copilot.schemas import Escalation
from copilot.understand.emotion import EmotionReading


def _quoted(words: list[str]) -> str:
    return "、".join(f"「{word}」" for word in words[:3])


def decide_escalation(reading: EmotionReading, flags: list[str], vip: bool) -> Escalation:
    """Escalate angry, threatening, quitting, unsafe, fraudulent or manipulative conversations."""
    cues = reading.cues
    reasons: list[str] = []
    if "threats" in cues:
        reasons.append(f"客户提到{_quoted(cues['threats'])}，有投诉或舆情风险，请资深客服立即跟进")
    if "quitting" in cues:
        reasons.append(f"客户表示{_quoted(cues['quitting'])}，有流失风险，请资深客服挽回")
    if "profanity" in cues:
        swearing = _quoted(cues["profanity"])
        reasons.append(f"客户出言辱骂（{swearing}），请资深客服接手安抚，先道歉再给方案")
    elif reading.angry_escalation and reading.emotion == "angry":
        reasons.append("客户情绪激动，请资深客服接手安抚，先道歉再给方案")
    elif reading.angry_escalation:
        reasons.append("客户语气里可能有不满，请资深客服留意，先安抚再给方案")
    if "safety" in cues:
        reasons.append(f"涉及人身安全或健康（{_quoted(cues['safety'])}），需人工核实并跟进")
    if "compensation" in cues:
        reasons.append("客户要求赔偿或补偿，超出话术可承诺的范围，请按店铺规则人工确认")
    if "phishing_link" in flags:
        reasons.append("消息含可疑链接或诱导登录、扫码、索要验证码，疑似钓鱼诈骗，请勿点击")
    if "prompt_injection" in flags:
        reasons.append("消息试图操控自动回复（提示词注入），请人工判断后回复")
    if reading.unresolved_turns >= 2 and reading.emotion != "calm":
        reasons.append("客户多次追问仍未解决，请优先处理")
    if vip and reading.emotion != "calm":
        reasons.append("VIP客户不满意，请优先安排资深客服")
    if not reasons:
        return Escalation(needed=False)
    return Escalation(needed=True, reason="；".join(dict.fromkeys(reasons)))
