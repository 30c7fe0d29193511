"""The per-process hint map: bounded, the least recently put evicted first."""

from gateway.services.hints import Hints


def test_the_oldest_hint_goes_first_when_full():
    hints = Hints(size=2)
    hints.put("a", 1)
    hints.put("b", 2)
    hints.put("a", 3)  # put again: now the newest
    hints.put("c", 4)
    assert (hints.get("a"), hints.get("b"), hints.get("c"), len(hints)) == (3, None, 4, 2)


def test_a_dropped_hint_is_gone():
    hints = Hints(size=4)
    hints.put("a", 1)
    hints.drop("a")
    hints.drop("never there")
    assert hints.get("a") is None and len(hints) == 0
