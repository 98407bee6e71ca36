import evaluator.batch


def test_batch_all_is_complete_and_grouped_like_the_evaluator_package():
    public = [n for n in dir(evaluator.batch) if not n.startswith("_") and n[0].isupper()]
    assert set(public) <= set(evaluator.batch.__all__)
    for name in evaluator.batch.__all__:
        assert hasattr(evaluator.batch, name), name
    kinds = [(not n.isupper(), n.islower()) for n in evaluator.batch.__all__]  # CONSTANTS, Classes, functions
    assert kinds == sorted(kinds)
    for kind in set(kinds):
        group = [n for n, k in zip(evaluator.batch.__all__, kinds, strict=True) if k == kind]
        assert group == sorted(group)
