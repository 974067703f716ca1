from lod.wording import counted


def test_counts_take_the_number_they_need() -> None:
    assert counted(0, "study") == "0 studies"
    assert counted(1, "study") == "1 study"
    assert counted(12_345, "triple") == "12,345 triples"
    assert counted(1, "shared node") == "1 shared node"
    assert counted(2, "recommended-shape warning") == "2 recommended-shape warnings"
