"""The inputs of a batch: offer files, folders of them, and CSV tables with one row per candidate.

A CSV table names its columns by the offer fields in dotted form (``candidate.name``,
``offer.base``, ``competing_offers.0.company``, ``appendices.0``); each row becomes the same
structure an offer file holds and is validated by the same models, so its errors name the row
and the column: ``candidates.csv:row 7: offer.base: ...``. Rows are numbered as a spreadsheet
shows them (the header is row 1). Empty cells are left out, so optional fields keep their
defaults; a column whose name starts with ``#`` is a note and is ignored. Appendix paths are
relative to the CSV file.

Inputs are read lazily, one item at a time, so that a table of any length is never held whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import Any

import msgspec

from ..errors import BriefError, InputError
from ..files.fs import is_dir

OFFER_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".csv",)
MAX_LIST = 50  # the most entries a dotted column may index (offer.MAX_COMPETING)


class Item(msgspec.Struct, frozen=True):
    """One offer of a batch: a file, or a row of a table (`cells`), or an input that failed
    before any work could start (`error`)."""

    index: int
    label: str  # what messages call it: "offers/a.yaml", "candidates.csv:row 7"
    path: Path  # the offer file, or the table
    cells: tuple[tuple[str, str], ...] | None = None
    error: BriefError | None = None  # the input failed before any work (a folder, a table row)
    key: str = ""  # who it is, the same on every machine and in any order: the shard's split

    @property
    def identity(self) -> str:
        return self.key or self.label

    @property
    def who(self) -> str:
        """The candidate's name a table's row gives (its candidate.name cell), else ""."""
        return next((" ".join(v.split()) for k, v in self.cells or () if k == "candidate.name"), "")[:60]


def is_batch(paths: Iterable[Path]) -> bool:
    """Whether these inputs are more than one plain offer file."""
    paths = list(paths)
    return len(paths) != 1 or is_dir(paths[0]) or _is_table(paths[0])


def expand(paths: Iterable[Path]) -> Iterator[Item]:
    """Every offer in `paths`, in order: files as given, folders by name, tables by row.

    A file named twice (or also found in a folder) is read once."""
    numbers = count()
    seen: set[Path] = set()
    for path in paths:
        for file, error in _files(path):
            if error is not None:
                yield Item(next(numbers), str(file), file, error=error, key=str(file))
                continue
            key = _key(file)
            if key in seen:
                continue
            seen.add(key)
            name = _relative(file, path)
            if _is_table(file):
                for label, cells, problem in _table(file):
                    row = label.rpartition(":row ")[2] if ":row " in label else ""
                    who = dict(cells or ()).get("candidate.name", "")
                    yield Item(next(numbers), label, file, cells, problem, key=f"{name}\0{row}\0{who}")
            else:  # a missing or unreadable file is reported by the offer loader
                yield Item(next(numbers), str(file), file, key=name)


def _relative(file: Path, argument: Path) -> str:
    """`file` relative to the argument it was found under (a folder), or its name (a file)."""
    try:
        return file.relative_to(argument).as_posix() if file != argument else file.name
    except ValueError:
        return file.name


def count_items(paths: Iterable[Path]) -> int:
    """How many items `expand` yields (a quick pass; used only to size a progress bar)."""
    return sum(1 for _ in expand(paths))


def _files(path: Path) -> Iterator[tuple[Path, BriefError | None]]:
    """The files of an input: itself, or a folder's offer files and tables, by name."""
    if not is_dir(path):
        yield path, None
        return
    suffixes = OFFER_SUFFIXES + TABLE_SUFFIXES
    try:
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in suffixes and not p.name.startswith(".") and p.is_file()
        )
    except OSError as exc:
        yield path, InputError(f"cannot list the folder: {exc.strerror}", file=path)
        return
    if not files:
        yield path, InputError("no offer files (.yaml, .yml, .csv) in this folder", file=path)
    for file in files:
        yield file, None


def _is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


# --- tables -----------------------------------------------------------------------------------


_Row = tuple[str, "tuple[tuple[str, str], ...] | None", "BriefError | None"]  # label, cells, error


def _table(path: Path) -> Iterator[_Row]:
    def failed(message: str, row: int | None = None) -> _Row:
        where = f"{path}:row {row}" if row else str(path)
        return where, None, InputError(message, file=where)

    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        reason = "no such file (check the path)" if isinstance(exc, FileNotFoundError) else exc.strerror
        yield failed(f"cannot read the table: {reason}")
        return
    row = 1
    rows = 0
    with handle:
        try:
            delimiter = _delimiter(handle)
            reader = csv.reader(handle, delimiter=delimiter)
            header = [name.strip() for name in next(reader, [])]
            if problem := header_problem(header):
                yield failed(problem)
                return
            for cells in _rows(reader):
                row += 1
                if isinstance(cells, str):
                    rows += 1
                    yield failed(cells, row)
                elif any(cell.strip() for cell in cells):
                    if len(cells) > len(header):
                        rows += 1
                        yield failed(
                            f"{len(cells)} cells, but the header names {len(header)} columns"
                            " (a decimal comma such as 15,5 in a comma-separated table? write 15.5,"
                            " quote the cell, or save the table with ; between cells)",
                            row,
                        )
                        continue
                    kept = tuple(
                        (name, _decimal(name, cell.strip(), delimiter))
                        for name, cell in zip(header, cells, strict=False)  # short rows: the rest is empty
                        if cell.strip() and not name.startswith("#")
                    )
                    rows += 1
                    yield f"{path}:row {row}", kept, None
            if rows == 0:
                yield failed("has a header but no rows: there is no candidate to make a brief for")
        except UnicodeDecodeError:
            yield failed("is not UTF-8 text (save it as 'CSV UTF-8')", row if row > 1 else None)
        except OSError as exc:
            yield failed(f"cannot read the table: {exc.strerror}")


def _rows(reader: Any) -> Iterator[list[str] | str]:
    """The rows of `reader`; a row the csv module cannot parse comes as its error message."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"not valid CSV: {exc}"


def _delimiter(handle: Any) -> str:
    """Comma, semicolon or tab: the one Excel's ``sep=;`` first line names (that line is then
    skipped), else whichever the header line holds most of (spreadsheets in many countries
    write semicolons)."""
    first = handle.readline()
    named = first.strip()
    if named.lower().startswith("sep=") and len(named) == 5:
        return named[4]  # the handle is left after this line: the header comes next
    handle.seek(0)
    return max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","


_DECIMAL_COMMA = re.compile(r"-?\d+,\d+%?")


def _decimal(column: str, text: str, delimiter: str) -> str:
    """A decimal comma ("15,5") as a decimal point where the column takes only numbers and the
    table is not comma-separated (as spreadsheets write it where the comma is the decimal mark)."""
    if delimiter != "," and _DECIMAL_COMMA.fullmatch(text) and _numeric(column):
        return text.replace(",", ".")
    return text


def header_problem(header: list[str]) -> str | None:
    """What is wrong with a table's header, or None: every column must name one offer field."""
    if not any(header):
        return "the table is empty: its first row must name the columns (candidate.name, offer.base, ...)"
    seen: set[str] = set()
    for number, name in enumerate(header, 1):
        if name.startswith("#"):
            continue
        if not name:
            return f"column {number} has no name (name it, or start its name with # to ignore it)"
        if name in seen:
            return f"column {name!r} appears twice (keep one, or start the other's name with # to ignore it)"
        seen.add(name)
        if problem := column_problem(name):
            return f"column {name!r}: {problem}"
    for name in seen:  # a group and one of its fields cannot both be columns
        parent = name.rpartition(".")[0]
        while parent:
            if parent in seen:
                return (
                    f"columns {parent!r} and {name!r} cannot both be given ({name!r} is a part of"
                    f" {parent!r}: keep one of the two forms, or start the other's name with # to ignore it)"
                )
            parent = parent.rpartition(".")[0]
    return None


def column_problem(column: str) -> str | None:
    """Why `column` does not name one field of an offer (None when it does)."""
    import msgspec.inspect as mi

    from .offer import RawOffer

    info: Any = mi.type_info(RawOffer)
    done: list[str] = []
    for part in column.split("."):
        info = _unwrap(info)
        if isinstance(info, mi.StructType):
            names = [f.encode_name for f in info.fields]
            if part not in names:
                import difflib  # only for a typo: a run without one never loads it

                close = difflib.get_close_matches(part, names, n=1)
                known = f"did you mean {'.'.join([*done, close[0]])!r}?" if close else ", ".join(names)
                return f"unknown field ({known})"
            info = next(f.type for f in info.fields if f.encode_name == part)
        elif isinstance(info, mi.ListType):
            if not part.isdigit() or len(part) > 3 or int(part) >= MAX_LIST:
                return f"{'.'.join(done)} is a list: write {'.'.join(done)}.0, {'.'.join(done)}.1, ..."
            info = info.item_type
        elif isinstance(info, mi.DictType):  # candidate.facts.<id>: the guide knows its ids
            info = info.value_type
        else:
            return f"{'.'.join(done)} is a single value"
        done.append(part)
    if _scalar_too(info):  # a single amount or a list of them (offer.sign_on): either is a column
        return None
    info = _unwrap(info)
    if isinstance(info, mi.StructType):
        return f"is a group of fields: name one, such as {column}.{info.fields[0].name}"
    if isinstance(info, mi.DictType):
        return f"is a group of answers: name one, such as {column}.<id> (see `make-brief guides show`)"
    if isinstance(info, mi.ListType):
        return f"is a list: write {column}.0, {column}.1, ..."
    return None


def _scalar_too(info: Any) -> bool:
    """Whether a union type also takes a single value (not only a struct or a list)."""
    import msgspec.inspect as mi

    grouped = (mi.StructType, mi.ListType, mi.NoneType)
    return isinstance(info, mi.UnionType) and any(not isinstance(t, grouped) for t in info.types)


def _unwrap(info: Any) -> Any:
    """The struct or list inside an optional or union type; other types as they are."""
    import msgspec.inspect as mi

    if isinstance(info, mi.UnionType):
        for wanted in (mi.StructType, mi.ListType, mi.DictType):
            found = [t for t in info.types if isinstance(t, wanted)]
            if found:
                return found[0]
    return info


def load_item(item: Item, guide_dirs: tuple[Path, ...] = (), rates: tuple[Any, ...] = ()) -> Any:
    """The validated offer of an item: its file, or its table row; with the shared exchange
    `rates` for the pairs of currencies it states none for."""
    from .offer import load_offer, offer_from_document, with_rates

    if item.error is not None:
        raise item.error
    if item.cells is None:
        return with_rates(load_offer(item.path, guide_dirs), rates)
    return with_rates(offer_from_document(row_document(item), guide_dirs), rates)


# --- a row as an offer document ---------------------------------------------------------------


def row_document(item: Item) -> Any:
    """The loading.Document of a table row: the nested offer structure, named by its row."""
    from ..files.loading import Document

    doc = Document({}, {}, Path(item.label))
    doc.data = _lists(_nest((column, _typed(column, text)) for column, text in item.cells or ()), doc, "")
    return doc


def _typed(column: str, text: str) -> Any:
    """A cell's text as a number where the field takes only numbers ("15" or "15%" for
    offer.bonus_pct, "4" for offer.stock_years); left as text otherwise, for the model to judge."""
    if _boolean(column):  # offer.stock_liquid: true or false (yes or no too); blank: the default
        word = text.strip().casefold()
        return True if word in ("true", "yes", "y") else False if word in ("false", "no", "n") else text
    if not _numeric(column):
        return text
    number = text[:-1].strip() if text.endswith("%") and column.endswith("_pct") else text
    if re.fullmatch(r"-?\d+,\d{1,2}", number):  # a decimal comma, as spreadsheets write "15,5"
        number = number.replace(",", ".")
    for kind in (int, float):
        try:
            return kind(number)
        except ValueError:
            continue
    return text


@lru_cache(maxsize=256)
def _boolean(column: str) -> bool:
    import msgspec.inspect as mi

    kinds = _kinds(column)
    return bool(kinds) and all(isinstance(k, mi.BoolType) for k in kinds)


@lru_cache(maxsize=256)
def _numeric(column: str) -> bool:
    import msgspec.inspect as mi

    kinds = _kinds(column)
    numbers = (mi.IntType, mi.FloatType)
    return any(isinstance(k, numbers) for k in kinds) and not any(isinstance(k, mi.StrType) for k in kinds)


def _kinds(column: str) -> tuple[Any, ...]:
    """The msgspec types the field named by `column` takes (none for a column of no field)."""
    import msgspec.inspect as mi

    from .offer import RawOffer

    info: Any = mi.type_info(RawOffer)
    for part in column.split("."):
        info = _unwrap(info)
        if isinstance(info, mi.StructType):
            info = next((f.type for f in info.fields if f.encode_name == part), None)
        elif isinstance(info, mi.ListType):
            info = info.item_type
    if info is None:
        return ()
    return tuple(info.types) if isinstance(info, mi.UnionType) else (info,)


def _nest(cells: Iterable[tuple[str, str]]) -> dict:
    root: dict = {}
    for column, text in cells:
        node = root
        parts = column.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = text
    return root


def _lists(node: Any, doc: Any, where: str) -> Any:
    """Mappings keyed by 0, 1, 2, ... as lists; a gap (a .1 without its .0) is an error."""
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v, doc, f"{where}.{k}".lstrip(".")) for k, v in node.items()}
    if not items or not all(k.isdigit() for k in items):
        return items
    order = sorted(items, key=int)
    for expected, key in enumerate(order):
        if int(key) != expected:
            raise doc.error(
                f"{where}.{expected}",
                f"is empty, but {where}.{key} is not",
                f"fill {where}.0, {where}.1, ... in order",
            )
    return [items[k] for k in order]
