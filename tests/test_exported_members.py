import evaluator
import rubric


def test_evaluator_all_is_sorted_and_complete():
    exported = [name for name in dir(evaluator) if not name.startswith("_") and name[0].isupper()]
    assert sorted(evaluator.__all__, key=str.casefold) == sorted(set(evaluator.__all__), key=str.casefold)
    for name in exported:
        assert name in evaluator.__all__, name


def test_rubric_all_is_sorted_and_complete():
    assert rubric.__all__ == sorted(rubric.__all__, key=lambda n: (n.islower(), n))
    for name in rubric.__all__:
        assert hasattr(rubric, name)
