"""The language check (rag/language.py): one rule for every language, so that a Spanish question is refused as
a Japanese one is, while short English questions, names alone and English full of Japanese names pass."""

from __future__ import annotations

import pytest

from rag.errors import InvalidQuestionError
from rag.language import check_english, foreign_language
from rag.question import clean

NOT_ENGLISH = [
    ("Spanish", "¿Dónde se reunió el grupo cibernético del Quad en diciembre?"),
    ("Spanish", "¿Qué pasó el 16 de noviembre?"),
    ("Spanish", "Cuándo se reunió Kishida con Biden"),
    ("Spanish", "¿Dónde está Kishida?"),
    ("Spanish", "¿Quién es Kamikawa?"),
    ("Italian", "Chi è Kamikawa?"),
    ("French", "Qu'a fait le Quad en novembre ?"),
    ("French", "Où s'est réuni le groupe Quad en décembre ?"),
    ("French", "Quelles réunions ont eu lieu en octobre ?"),
    ("German", "Was hat das Quad im November gemacht?"),
    ("German", "Wo haben sich Biden und Kishida getroffen?"),
    ("German", "Welche Treffen fanden im Oktober statt?"),
    ("Portuguese", "O que aconteceu em outubro?"),
    ("Portuguese", "Onde o Kishida se encontrou com o Biden?"),
    ("Italian", "Cosa è successo a ottobre?"),
    ("Italian", "Dove si sono incontrati Biden e Kishida?"),
    ("Dutch", "Wat gebeurde er in oktober?"),
    ("Polish", "Gdzie spotkali się Biden i Kishida?"),
    ("Turkish", "Biden ve Kishida nerede buluştu?"),
    ("Swedish", "Var träffades Biden och Kishida?"),
    ("Japanese", "岸田首相は誰と会いましたか？"),
    ("Japanese", "11月16日に何がありましたか"),
    ("Chinese", "十月发生了什么？"),
    ("Korean", "10월에 무슨 일이 있었나요?"),
    ("Russian", "Что произошло в октябре?"),
    ("Arabic", "ماذا حدث في أكتوبر؟"),
    ("Greek", "Τι συνέβη τον Οκτώβριο;"),
    ("Hindi", "अक्टूबर में क्या हुआ?"),
]
ENGLISH = [
    "Kishida?", "Blinken?", "Kamikawa Yoko?", "APEC?", "Park Jin", "Kishida Fumio and Biden", "Why?", "Where?",
    "Who attended?", "And Kamikawa?", "What about Kishida?", "And in October?", "How about in December?",
    "Did Kishida Fumio meet Kamikawa Yoko?", "When did Kamikawa Yoko meet Hayashi Yoshimasa?",
    "Did Nishimura Yasutoshi meet Tai?", "Is Kishida Fumio prime minister?", "Kishida meets Biden when?",
    "Hayashi Yoshimasa Kamikawa Yoko Kishida Fumio?", "Tokyo in October?", "What happened on 4/9/2024?",
    "What did Japan's central bank decide?", "Which meetings took place in October?",
    "Why did the prime minister reshuffle his cabinet at the start of autumn?", "Any news on Okinawa?",
    "List Kamikawa's meetings in October", "Where did Kishida Fumio and Yoon Suk Yeol meet?",
    "Tell me about Henoko.", "Summit?", "Blinken spoke?", "Osprey crash?", "Kishida resigned?", "Tokyo meeting?",
    "Summit held?", "Rahm Emanuel?", "Kamikawa visited?", "Who attended?", "Osprey crash cause?",
    "chip export controls", "Marines relocation Guam timeline", "rice tariffs",
]


@pytest.mark.parametrize(("language", "question"), NOT_ENGLISH)
def test_every_other_language_is_refused_with_one_line(language: str, question: str) -> None:
    assert foreign_language(question) is not None
    with pytest.raises(InvalidQuestionError) as refused:
        clean(question, 2000)
    message = str(refused.value)
    assert message.startswith("The briefing is in English; please ask in English (this question ")
    assert "\n" not in message and message.endswith(").")


@pytest.mark.parametrize("question", ENGLISH)
def test_english_questions_and_names_pass(question: str) -> None:
    assert foreign_language(question) is None
    check_english(question)
    assert clean(question, 2000) == question


def test_the_language_or_script_is_named_when_sure() -> None:
    assert foreign_language("Was hat das Quad im November gemacht?") == "German"
    assert foreign_language("¿Dónde se reunió el grupo cibernético del Quad en diciembre?") == "Spanish"
    assert foreign_language("Что произошло в октябре?") == "Cyrillic script"
    assert foreign_language("10월에 무슨 일이 있었나요?") == "Hangul script"
