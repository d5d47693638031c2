import pytest

from rules.search_text import MAX_QUERY_WORDS, SEARCHED_FIELDS, query_words, searchable_text


def found(query: str, **fields: str) -> bool:
    """As DynamoDB's contains() filter of storage/event_search.py keeps an item: every word inside its text."""
    text = searchable_text(fields.get(f) for f in SEARCHED_FIELDS)
    return all(word in text for word in query_words(query))


@pytest.mark.parametrize(("query", "title"), [
    ("회의", "회의는 3층에서"),          # a particle attached
    ("회의", "주간회의"),                # inside a compound
    ("영업", "영업부 회의"),
    ("주간 회의", "주간회의"),           # spacing, both ways
    ("주간회의", "주간 회의"),
    ("3분기", "2024년 3분기 실적 보고"),  # numbers with Korean
    ("３분기", "3분기 보고"),            # full-width digits
    ("q3 리뷰", "Q3 리뷰 미팅"),          # mixed Korean and English, case folded
    ("ＲＥＶＩＥＷ", "Weekly review"),    # full-width Latin
    ("회의 주간", "주간 회의"),           # every word, in any order
    ("review", "re-view"),              # spacing and punctuation never decide
])
def test_a_query_finds_the_way_people_type(query, title):
    assert found(query, title=title)


@pytest.mark.parametrize(("query", "title"), [
    ("회의록", "주간 회의"),    # longer than what is there
    ("영업 보고", "영업부 회의"),  # one word missing
    ("주간", "월간 회의"),
])
def test_a_query_misses_what_is_not_there(query, title):
    assert not found(query, title=title)


def test_title_description_and_time_are_searched_but_never_across_two_fields():
    assert found("3층", title="회의", description="3층 대회의실")
    assert found("오후", title="회의", time="오후 2:00")
    assert not found("의3", title="회의", description="3층")  # the end of one field and the start of the next
    assert not found("https", title="회의", url="https://intranet.example.com")  # the link is not searched


@pytest.mark.parametrize("query", ["", "   ", "!!! ??", " ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1)), "가" * 101])
def test_a_query_without_words_or_too_long_is_refused(query):
    with pytest.raises(ValueError):
        query_words(query)


def test_repeated_words_count_once():
    assert query_words("회의  회의 Meeting meeting") == ["회의", "meeting"]
