"""Batch inputs: files, folders and CSV tables read into the same offers as offer files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import offer_data

from make_brief.errors import InputError
from make_brief.offers.inputs import column_problem, expand, header_problem, row_document
from make_brief.offers.offer import load_offer, offer_from_document

HEADER = "candidate.name,candidate.email,guide,region,offer.base,offer.stock,offer.bonus_pct"
GUIDE = "segment-engineering-manager"


def write_csv(folder: Path, lines: list[str], name: str = "candidates.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def offers_of(path: Path) -> list:
    return [offer_from_document(row_document(item)) for item in expand([path])]


def test_a_row_is_the_same_offer_as_the_same_file(tmp_path, write_offer, offer_letter):
    data = offer_data(
        competing_offers=[{"company": "Databricks", "total_comp": 415000}],
        appendices=["offer-letter.pdf"],
    )
    data["offer"]["sign_on"] = 20000
    from_file = load_offer(write_offer(data))
    table = write_csv(
        tmp_path,
        [
            HEADER + ",offer.currency,offer.stock_years,offer.sign_on,competing_offers.0.company,"
            "competing_offers.0.total_comp,appendices.0,# notes",
            f"Jane Doe,jane@example.com,{GUIDE},San Francisco,210000,180000,15,USD,4,20000,Databricks,"
            "415000,offer-letter.pdf,met at the fair",
        ],
    )
    (from_row,) = offers_of(table)
    assert from_row.appendices == (offer_letter.resolve(),)  # relative to the CSV file
    assert from_row.source == Path(f"{table}:row 2")
    for name in ("name", "email", "guide", "region", "currency", "base", "stock", "stock_years", "bonus_pct"):
        assert getattr(from_row, name) == getattr(from_file, name), name
    assert from_row.competing == from_file.competing
    assert from_row.sign_on == Decimal(20000)


def test_cells_are_read_as_spreadsheets_write_them(tmp_path):
    table = write_csv(
        tmp_path,
        [  # semicolons, as spreadsheets write CSV in many countries
            "candidate.name;guide;region;offer.base;offer.stock;offer.bonus_pct;offer.stock_years",
            f"Ann;{GUIDE};SF;$200,000;150K;15%;3",
            ";;;;;;",  # an empty row is skipped, but still counts as a row
            f"Bob;{GUIDE};NYC;180000;0;12.5;",
        ],
    )
    items = list(expand([table]))
    assert [i.label for i in items] == [f"{table}:row 2", f"{table}:row 4"]
    ann, bob = offers_of(table)
    assert (ann.base, ann.stock, ann.bonus_pct, ann.stock_years) == (200000, 150000, 15, 3)
    assert (bob.region.name, bob.bonus_pct, bob.stock_years, bob.email) == (
        "New York",
        Decimal("12.5"),
        4,
        None,
    )


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("Ann,,x,SF,200000,150000,15", "row 2: guide: unknown guide 'x'"),
        (f"Ann,,{GUIDE},SF,abc,150000,15", "row 2: offer.base: 'abc' is not an amount"),
        (f"Ann,,{GUIDE},SF,200000,150000,lots", "row 2: offer.bonus_pct: Expected int | float, got str"),
        (f",ann@example.com,{GUIDE},SF,200000,150000,15", "row 2: candidate.name: missing required field"),
        (f",,{GUIDE},SF,200000,150000,15", "row 2: candidate: missing required field"),
        (f"Ann,not-an-address,{GUIDE},SF,200000,150000,15", "row 2: candidate.email: 'not-an-address'"),
        (f"Ann,,{GUIDE},Mars,200000,150000,15", "row 2: region: unknown region 'Mars'"),
    ],
)
def test_a_bad_row_names_its_row_and_column(tmp_path, cells, message):
    table = write_csv(tmp_path, [HEADER, cells])
    (item,) = expand([table])
    with pytest.raises(InputError) as caught:
        offer_from_document(row_document(item))
    assert str(caught.value).startswith(f"{table}:{message}"), str(caught.value)


def test_list_columns_are_filled_in_order(tmp_path):
    header = HEADER + ",competing_offers.0.company,competing_offers.0.total_comp,competing_offers.1.company,"
    header += "competing_offers.1.total_comp"
    table = write_csv(
        tmp_path,
        [
            header,
            f"Ann,,{GUIDE},SF,200000,150000,15,,,Stripe,400000",
            f"Bob,,{GUIDE},SF,200000,150000,15,Stripe,400000,,",
            f"Cy,,{GUIDE},SF,200000,150000,15,,400000,,",
        ],
    )
    ann, bob, cy = expand([table])
    with pytest.raises(
        InputError, match="row 2: competing_offers.0: is empty, but competing_offers.1 is not"
    ):
        row_document(ann)
    assert offer_from_document(row_document(bob)).competing[0].company == "Stripe"
    with pytest.raises(InputError, match="row 4: competing_offers.0.company: missing required field"):
        offer_from_document(row_document(cy))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("candidate.name,offer.bas", "column 'offer.bas': unknown field (did you mean 'offer.base'?)"),
        ("candidate.name,candidate.name", "column 'candidate.name' appears twice"),
        ("candidate.name,,guide", "column 2 has no name"),
        ("candidate.name,offer", "column 'offer': is a group of fields: name one, such as offer.base"),
        ("competing_offers.company", "competing_offers is a list: write competing_offers.0,"),
        ("competing_offers.0", "is a group of fields: name one, such as competing_offers.0.company"),
        ("appendices", "column 'appendices': is a list: write appendices.0"),
        ("guide.id", "column 'guide.id': guide is a single value"),
        ("candidate.name,candidate", "candidate"),
        ("", "the table is empty"),
    ],
)
def test_a_bad_header_fails_the_table_once(tmp_path, header, message):
    table = write_csv(tmp_path, [header, "a,b,c", "d,e,f"])
    items = list(expand([table]))
    assert len(items) == 1 and items[0].error is not None
    error = items[0].error
    assert isinstance(error, InputError) and error.file == str(table)
    assert str(error).startswith(f"{table}: ") and message in str(error), error


def test_column_rules():
    assert column_problem("competing_offers.49.currency") is None
    assert "is a list" in (column_problem("competing_offers.50.company") or "")
    assert header_problem(["# notes", "candidate.name"]) is None


def test_folders_files_and_tables_in_order_each_file_once(tmp_path, write_offer):
    folder = tmp_path / "offers"
    folder.mkdir()
    for name in ("b.yaml", "a.yml", ".hidden.yaml", "notes.txt"):
        (folder / name).write_text("x", encoding="utf-8")
    write_csv(folder, [HEADER, f"Ann,,{GUIDE},SF,1,1,1"], "c.csv")
    lone = write_offer(offer_data(), "lone.yaml")
    labels = [i.label for i in expand([lone, folder, folder / "b.yaml", lone])]
    assert labels == [str(lone), str(folder / "a.yml"), str(folder / "b.yaml"), f"{folder / 'c.csv'}:row 2"]
    assert [i.index for i in expand([lone, folder])] == [0, 1, 2, 3]


def test_unreadable_inputs_are_items_that_failed(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nJos\xe9,,x,SF,1,1,1\n").encode("latin-1"))
    items = list(expand([empty, tmp_path / "gone.csv", latin, tmp_path / "gone.yaml"]))
    assert [str(i.error) if i.error else None for i in items] == [
        f"{empty}: no offer files (.yaml, .yml, .csv) in this folder",
        f"{tmp_path / 'gone.csv'}: cannot read the table: no such file (check the path)",
        f"{latin}: is not UTF-8 text (save it as 'CSV UTF-8')",
        None,  # a missing offer file is reported by the offer loader, like a single one
    ]


def test_a_row_with_more_cells_than_columns(tmp_path):
    table = write_csv(tmp_path, [HEADER, f"Ann,,{GUIDE},SF,200000,150000,15,extra"])
    (item,) = expand([table])
    assert isinstance(item.error, InputError) and item.error.file == f"{table}:row 2"
    assert str(item.error) == (
        f"{table}:row 2: 8 cells, but the header names 7 columns (a decimal comma such as 15,5 in"
        " a comma-separated table? write 15.5, quote the cell, or save the table with ; between cells)"
    )


def test_a_quoted_decimal_comma_in_a_number_field_is_read(tmp_path):
    from make_brief.offers.inputs import load_item

    comma = write_csv(tmp_path, [HEADER, f'Ann,,{GUIDE},SF,200000,150000,"15,5"'], name="comma.csv")
    point = write_csv(tmp_path, [HEADER, f"Ann,,{GUIDE},SF,200000,150000,15.5"], name="point.csv")
    (a,), (b,) = expand([comma]), expand([point])
    assert load_item(a).bonus_pct == load_item(b).bonus_pct == Decimal("15.5")


def test_a_long_table_is_read_lazily(tmp_path):
    rows = [f"P{i},,{GUIDE},SF,200000,150000,15" for i in range(5000)]
    table = write_csv(tmp_path, [HEADER, *rows])
    items = expand([table])
    first = next(items)
    assert first.label == f"{table}:row 2" and dict(first.cells or ())["candidate.name"] == "P0"
    with table.open("a", encoding="utf-8") as more:  # rows added now are still read: nothing
        more.write(f"Late,,{GUIDE},SF,200000,150000,15\n")  # was read ahead of need
    assert sum(1 for _ in items) == 5000
