import api


def _kind_then_name(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (isort's order, as in evaluator.__all__)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_api_all_is_sorted_and_complete():
    assert api.__all__ == sorted(api.__all__, key=_kind_then_name)
    for name in api.__all__:
        assert hasattr(api, name)
