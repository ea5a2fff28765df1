import pytest

from pos.domain.barcode import complete_ean13, is_valid_ean
from pos.domain.ids import new_id
from pos.domain.units import UNITS, unit


@pytest.mark.parametrize("code", ["5901234123457", "4006381333931", "96385074"])
def test_valid_eans(code: str) -> None:
    assert is_valid_ean(code)


@pytest.mark.parametrize("code", ["5901234123458", "123", "", "89923881010１1", "abcdefghijklm", "40063813339310"])
def test_invalid_eans(code: str) -> None:
    assert not is_valid_ean(code)


def test_complete_ean13_adds_the_check_digit() -> None:
    assert complete_ean13("400638133393") == "4006381333931"


def test_weighed_units_count_grams() -> None:
    assert unit("kg").step_per_unit == 1000 and unit("kg").by_measure
    assert not unit("pcs").by_measure
    assert set(UNITS) >= {"pcs", "kg", "l"}
    with pytest.raises(ValueError):
        unit("ton")


def test_ids_are_time_ordered_v7() -> None:
    first, second = new_id(), new_id()
    assert first.version == 7
    assert first < second
