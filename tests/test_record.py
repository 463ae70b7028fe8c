"""The record base that the pack model, the rating engine and the session use instead of frozen dataclasses."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar

import pytest

from laqs_assist.packs import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.record import Record, factory, fields, replace


class Point(Record):
    x: int
    y: int = 0
    tags: dict[str, int] = factory(dict)
    KIND: ClassVar[str] = "point"

    @property
    def total(self) -> int:
        return self.x + self.y


class Labelled(Point):
    label: str = ""


class Pair(Record):
    a: int
    b: str = ""


def test_fields_follow_the_annotations_in_order_without_class_variables():
    assert fields(Point) == ("x", "y", "tags")
    assert fields(Labelled) == ("x", "y", "tags", "label")
    assert Point.__match_args__ == ("x", "y", "tags")


def test_constructor_takes_positions_keywords_and_defaults():
    p = Point(1, tags={"a": 1})
    assert (p.x, p.y, p.tags, p.total) == (1, 0, {"a": 1}, 1)
    assert Point(x=2, y=3).total == 5
    assert Labelled(1, 2, label="here").label == "here"


def test_factory_defaults_are_fresh_for_every_instance():
    a, b = Point(1), Point(2)
    assert a.tags == {} and a.tags is not b.tags
    assert "tags" not in Point.__dict__  # the factory marker does not linger as a class attribute


@pytest.mark.parametrize("make, message", [
    (lambda: Point(), "missing the argument 'x'"),
    (lambda: Point(1, 2, {}, 4), "takes 3 arguments, 4 given"),
    (lambda: Point(1, z=3), "'z' is unexpected"),
    (lambda: Point(1, x=3), "'x' is given twice"),
])
def test_wrong_arguments_are_type_errors(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_a_field_without_default_after_one_with_default_is_refused():
    with pytest.raises(TypeError, match="'b' without a default"):
        class Bad(Record):
            a: int = 1
            b: int


def test_records_are_frozen():
    p = Point(1)
    with pytest.raises(AttributeError, match="frozen"):
        p.x = 5
    with pytest.raises(AttributeError, match="frozen"):
        del p.y
    assert p.x == 1


def test_equality_hash_and_repr_are_by_value():
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert Point(1) != Labelled(1)  # another class is never equal
    assert (Point(1) == (1, 0, {})) is False
    assert hash(Pair(1, "a")) == hash(Pair(1, "a"))
    assert len({Pair(1), Pair(1), Pair(2), Pair(1, "b")}) == 3
    with pytest.raises(TypeError):  # a dict field makes the record unhashable, as a dataclass would be
        hash(Point(1, tags={"a": 1}))
    assert repr(Labelled(1, 2, label="a")) == "Labelled(x=1, y=2, tags={}, label='a')"


def test_replace_makes_a_changed_copy():
    p = Labelled(1, 2, label="a")
    q = replace(p, y=5)
    assert (q.x, q.y, q.label) == (1, 5, "a") and p.y == 2
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(p, z=1)


def test_records_pickle_and_copy_by_value():
    p = Labelled(1, 2, tags={"a": 1}, label="a")
    for other in (pickle.loads(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)), copy.copy(p), copy.deepcopy(p)):
        assert other == p and type(other) is Labelled
        with pytest.raises(AttributeError):
            other.x = 3


def test_the_whole_pack_survives_a_pickle_round_trip():
    pack = load_pack(default_pack_path())
    again = pickle.loads(pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == pack
    for aspect in again.aspects.values():
        assert aspect.criteria == pack.aspects[aspect.id].criteria
        assert {c.id for c in aspect.criteria} == {c.id for c in pack.aspects[aspect.id].criteria}
