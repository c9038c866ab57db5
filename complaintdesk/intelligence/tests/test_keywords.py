from complaintdesk.intelligence import keywords, taxonomy
from complaintdesk.intelligence.keywords import KeywordRule

RULES = [KeywordRule(*row) for row in taxonomy.default_keyword_rows()]


def test_default_taxonomy_covers_spec_categories_in_both_languages():
    codes = {code for code, _k, _w in taxonomy.default_keyword_rows()}
    assert codes == {
        "network_quality",
        "billing_dispute",
        "business_handling",
        "value_added_service",
        "service_attitude",
        "logistics",
        "product_quality",
    }
    for code in codes:
        words = [k for c, k, _w in taxonomy.default_keyword_rows() if c == code]
        assert any(not w.isascii() for w in words) and any(w.isascii() for w in words), code


def test_chinese_english_and_traditional_complaints_get_their_category_with_the_keywords():
    cases = {
        "家里宽带从周五晚上开始断网，重启光猫也没用": "network_quality",
        "I was overcharged on my bill, please refund the double charge": "billing_dispute",
        "快遞員態度惡劣，包裹丟件": "logistics",
    }
    for text, code in cases.items():
        suggestion = keywords.classify(text, RULES)
        assert suggestion.category_code == code, text
        assert suggestion.source == "keywords" and suggestion.explanation


def test_confidence_is_best_over_total_plus_one():
    rules = [KeywordRule("a", "断网", 2), KeywordRule("b", "话费", 1)]
    suggestion = keywords.classify("断网了，话费也不对", rules)
    assert suggestion.category_code == "a"
    assert suggestion.confidence == round(2 / (3 + 1), 4)


def test_english_keywords_match_whole_words_only():
    rules = [KeywordRule("billing_dispute", "fee", 2)]
    assert keywords.classify("I spilled my coffee", rules).category_code is None
    assert keywords.classify("an unexpected fee", rules).category_code == "billing_dispute"


def test_no_keyword_means_no_suggestion():
    assert keywords.classify("今天天气不错", RULES).category_code is None
    assert keywords.classify("", RULES).confidence == 0.0
