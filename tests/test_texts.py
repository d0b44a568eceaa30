"""Sentences the server writes, kept as templates and values for pages in other languages."""

import copy
import json
import pickle

from courier.texts import N_, TEMPLATES, Phrase, joined, phrase_json, stored

HELD = N_("{name}: {why}")


def test_a_phrase_is_its_english_sentence_and_keeps_its_structure():
    inner = Phrase(N_("on a break"))
    p = Phrase(HELD, name="Ana", why=inner)
    assert p == "Ana: on a break" and isinstance(p, str)
    assert p.as_json() == {"template": "{name}: {why}", "values": {
        "name": "Ana", "why": {"template": "on a break", "values": {}}}}
    assert json.loads(json.dumps({"reason": p})) == {"reason": "Ana: on a break"}
    assert "{name}: {why}" in TEMPLATES


def test_copies_and_pickles_keep_the_structure():
    p = Phrase(HELD, name="Ana", why=Phrase(N_("on a break")))
    for twin in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert twin == p and twin.as_json() == p.as_json()


def test_joined_parts_stay_translatable_one_by_one():
    three = joined([Phrase(HELD, name="Ana", why="x"), "rules v2", "y"])
    assert three == "Ana: x; rules v2; y"
    assert three.as_json() == {"template": "{first}; {rest}", "values": {
        "first": {"template": "{name}: {why}", "values": {"name": "Ana", "why": "x"}},
        "rest": {"template": "{first}; {rest}", "values": {"first": "rules v2", "rest": "y"}}}}
    assert joined(["a", "b"]) == "a; b" and phrase_json(joined(["a", "b"])) is None
    assert joined([Phrase(HELD, name="Ana", why="x")]).as_json()["template"] == "{name}: {why}"


def test_braces_in_values_are_not_templates():
    p = Phrase(HELD, name="{why}", why="{name}")
    assert p == "{why}: {name}"
    assert phrase_json("plain") is None and phrase_json(p)["values"]["name"] == "{why}"


def test_a_reason_is_stored_cut_to_its_column_with_its_whole_phrase():
    long = Phrase(HELD, name="Ana", why="x" * 600)
    sentence, phrase = stored(long)
    assert sentence == long[:500] and len(sentence) == 500
    assert phrase["values"]["why"] == "x" * 600
    assert stored("typed by someone") == ("typed by someone", None)
