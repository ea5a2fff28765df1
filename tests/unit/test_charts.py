"""The charts' value axis: round steps that cover the data, labelled in short Rupiah."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from pos.domain.charts import bar_chart, nice_ticks, short_rupiah


def test_short_rupiah_reads_as_people_say_it() -> None:
    assert [short_rupiah(v) for v in (0, 850, 12_000, 1_250_000, 1_200_000, 3_000_000_000, 2 * 10**12)] == [
        "Rp0",
        "Rp850",
        "Rp12 rb",
        "Rp1,3 jt",
        "Rp1,2 jt",
        "Rp3 M",
        "Rp2 T",
    ]
    assert short_rupiah(1_200_000, "en") == "Rp1.2m" and short_rupiah(-12_000) == "-Rp12 rb"
    assert short_rupiah(150_000_000) == "Rp150 jt"


@given(st.integers(min_value=1, max_value=10**15))
def test_ticks_are_round_steps_that_cover_the_peak(peak: int) -> None:
    ticks = nice_ticks(peak)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) <= 6
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert re.fullmatch(r"[125]0*", str(step))
    assert ticks[-2] < peak  # no empty step on top


def test_a_chart_has_its_values_on_an_axis() -> None:
    svg = bar_chart(["1/12", "2/12"], [1_250_000, 300_000], title="Penjualan bersih per hari")
    assert "Rp0" in svg and "Rp1,5 jt" in svg and 'class="axis"' in svg
    assert "Rp1.250.000" in svg  # each bar's exact amount on hover
