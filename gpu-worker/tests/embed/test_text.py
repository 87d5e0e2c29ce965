"""Item text: cleaning and the two template styles; no model needed."""

import pytest

from genrec.data import ItemRecord
from genrec.embed import clean_text, item_text
from genrec.rpc.models import Item


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Rose &amp; Oud  Eau de Parfum", "Rose & Oud Eau de Parfum"),
        ("<p>Long-lasting<br/>colour</p>", "Long-lasting colour"),
        ("&lt;b&gt;bold&lt;/b&gt; claim", "bold claim"),  # escaped tags are tags once unescaped
        ("Caf\u00e9 cr\u00e8me \u2122", "Caf crme"),  # non-ASCII dropped, trailing space trimmed
        ("no\u00a0break\tspace\n\nnew line", "no break space new line"),
        ("  \n ", ""),
        ("\u65e5\u672c", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


FULL = ItemRecord(
    id="B1",
    title="Shine <i>Lip</i> Gloss",
    brand="Glow &amp; Co",
    categories=("Beauty", "Makeup", "  "),
    description="A glossy, <b>non-sticky</b> finish.",
    price=12.5,
)


def test_rpg_style_joins_values_in_order_without_labels() -> None:
    assert item_text(FULL, "rpg") == (
        "Shine Lip Gloss 12.50 Glow & Co Beauty, Makeup A glossy, non-sticky finish."
    )


def test_diffgrm_style_labels_each_field() -> None:
    assert item_text(FULL, "diffgrm") == (
        "Title: Shine Lip Gloss Price: 12.50 Brand: Glow & Co Category: Beauty, Makeup "
        "Description: A glossy, non-sticky finish."
    )


def test_missing_and_empty_fields_are_skipped() -> None:
    item = ItemRecord(id="B2", title="\u2122", brand="Acme", price=0.0, description="<br>")
    assert item_text(item, "rpg") == "0.00 Acme"
    assert item_text(item, "diffgrm") == "Price: 0.00 Brand: Acme"


def test_title_only_text_of_the_shared_data_degrades_gracefully() -> None:
    item = ItemRecord(id="B3", title="nail lacquer simmer and shimmer", attributes={"attribute_ids": "1 2"})
    assert item_text(item, "rpg") == "nail lacquer simmer and shimmer"
    assert item_text(item, "diffgrm") == "Title: nail lacquer simmer and shimmer"
    assert item_text(ItemRecord(id="B4"), "diffgrm") == ""


def test_wire_items_and_records_give_the_same_text() -> None:
    wire = Item.model_validate(FULL.to_json())
    for style in ("rpg", "diffgrm"):
        assert item_text(wire, style) == item_text(FULL, style)


def test_unknown_style_is_rejected() -> None:
    with pytest.raises(ValueError, match="template style"):
        item_text(FULL, "tiger")  # type: ignore[arg-type]
