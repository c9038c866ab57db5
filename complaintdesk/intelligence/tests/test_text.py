from complaintdesk.intelligence import text


def test_normalise_folds_width_case_and_traditional_characters():
    assert text.normalise("寬帶連續三天斷網！！ＡＢＣ") == "宽带连续三天断网!!abc"


def test_normalise_removes_invisible_characters_and_collapses_spaces():
    assert text.normalise("\ufeff有时候\u200b 爱  死机\n\t外屏") == "有时候 爱 死机 外屏"


def test_normalise_accepts_none_and_empty():
    assert text.normalise(None) == ""
    assert text.normalise("") == ""


def test_words_segment_chinese_with_domain_words_and_english_on_word_boundaries():
    words = text.words(text.normalise("家里宽带断网，投诉到工信部! Broadband DOWN, I won't pay"))
    assert {"宽带", "断网", "工信部", "broadband", "won't", "pay"} <= set(words)
    assert "的" not in words and "," not in words


def test_has_content_is_false_for_emoji_and_punctuation_only():
    assert not text.has_content("😡😡！？。，...")
    assert text.has_content("a")
    assert text.has_content("好")
