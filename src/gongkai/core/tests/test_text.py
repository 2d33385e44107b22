from gongkai.core.text import search_key


def test_traditional_and_simplified_share_a_key():
    assert search_key("述職") == search_key("述职") == "述职"
    assert search_key("职工代表述职测评").find(search_key("述職")) >= 0


def test_full_width_and_case_are_normalised():
    assert search_key("ＡＢＣ　１２３") == "abc 123"
