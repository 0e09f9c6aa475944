"""make-brief's benchmark: each figure as a median over repeated runs, beside its reference
measured in the same run, and the ratio against its target.

    python benchmarks/bench.py                # about 8 minutes on 2 cores
    python benchmarks/bench.py --quick        # fewer repeats, smaller batches: about 3
    python benchmarks/bench.py --markdown     # the table as Markdown, for the README

The peer is Typst (the `typst` package, benchmarks/peer_typst.py and brief.typ): the same
brief, composed by make-brief, laid out by Typst with one compiler per process. The floor
(benchmarks/floor.py) draws the same text on reportlab's raw canvas and appends the same
appendices with pypdf; it has a row under each target it bounds.

Cold figures start a new Python process per run (the files themselves are in the page cache:
"cold" means a fresh interpreter, not a cold disk). Warm figures run in this process after one
untimed run. Nothing here is a test: timings are for reading, not for failing CI.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "offer.yaml"
BIN = Path(sys.executable).parent
EXE = str(BIN / "make-brief") if (BIN / "make-brief").exists() else shutil.which("make-brief")
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}

rows: list[tuple[str, str, str, str, str]] = []
measured: dict[str, float] = {}  # figures that a later part combines with its own


def medians_cold(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command in a new process, in ms. The commands take turns, so
    that a slow moment of a shared machine falls on all of them alike, not on one figure."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_:  # the first round only warms the page cache
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in times.items()}


def medians_warm(funcs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median time of each function in this process, in ms, after one untimed call each;
    the functions take turns, as in `medians_cold`."""
    for func in funcs.values():
        func()
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(found) for name, found in times.items()}


def record(
    name: str,
    value: float,
    unit: str,
    reference: str,
    ref_value: float,
    limit: float | None,
    at_least: bool = False,
    note: str = "(a part of the above)",
) -> None:
    """A figure beside its reference: the ratio, and whether it meets the target ratio (a
    figure with no limit is there to show where the time goes, or what bounds the target
    above it: `note` says which)."""
    ratio = value / ref_value if ref_value else float("nan")
    if limit is None:
        target = note
    else:
        ok = ratio >= limit if at_least else ratio <= limit
        target = f"{'≥' if at_least else '≤'} {limit:g}× {'✓' if ok else '✗'}"
    shown = (f"{value:,.1f} {unit}", f"{reference} = {ref_value:,.1f} {unit}", f"{ratio:.2f}×")
    rows.append((name, *shown, target))


LIBRARIES = (
    "reportlab.platypus, reportlab.graphics, pypdf, click, yaml, jinja2.sandbox, babel.numbers, msgspec"
)


def cold(repeat: int, tmp: Path) -> None:
    py = sys.executable
    plain, bare = no_appendices(tmp)
    bench = str(ROOT / "benchmarks")
    ms = medians_cold(
        {
            "click": [py, "-c", "import click"],
            "libraries": [py, "-c", f"import {LIBRARIES}"],
            "brief": [EXE, str(EXAMPLE), "-o", str(tmp / "cold.pdf")],
            "typst": [py, f"{bench}/peer_typst.py", str(EXAMPLE), str(tmp / "typst.pdf")],
            "floor": [py, f"{bench}/floor.py", "--cold", str(EXAMPLE), str(tmp / "floor.pdf")],
            "every import": [py, str(libraries_script(tmp))],
            "plain": [EXE, str(plain), "--template", str(bare), "-o", str(tmp / "plain.pdf")],
            "help": [EXE, "--help"],
            "validate": [EXE, "validate", str(EXAMPLE)],
        },
        repeat,
    )
    libs = ms["libraries"]
    ref = "import of its libraries"
    record("cold make-brief examples/offer.yaml", ms["brief"], "ms", ref, libs, 1.3)
    record("  every module it imports, imported alone", ms["every import"], "ms", ref, libs, None)
    measured.update(libraries=libs, imports=ms["every import"])
    record(
        "  raw-canvas floor, cold, same appendices", ms["floor"], "ms", ref, libs, None, note="(its floor)"
    )
    record("  Typst's cold run (the peer)", ms["typst"], "ms", ref, libs, None, note="(the peer)")
    record("cold make-brief, no appendix", ms["plain"], "ms", ref, libs, None, note="(no target)")
    loaded = "pypdf" in modules_imported([str(plain), "--template", str(bare), "-o", str(tmp / "p2.pdf")])
    rows.append(("pypdf imported without appendices?", str(loaded), "", "", f"no {'✗' if loaded else '✓'}"))
    record("cold make-brief --help", ms["help"], "ms", "import click", ms["click"], 2)
    record("cold make-brief validate", ms["validate"], "ms", "import click", ms["click"], 2)


def modules_imported(args: list[str]) -> list[str]:
    """Every module that a cold `make-brief ARGS` imports, in the order it imports them."""
    script = (
        "import sys; from make_brief.cli import main\n"
        "sys.argv = ['make-brief', *sys.argv[1:]]\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print('-- modules --', *sys.modules, sep='\\n')"
    )
    found = subprocess.run([sys.executable, "-c", script, *args], env=ENV, capture_output=True, text=True)
    return found.stdout.partition("-- modules --")[2].split()


def libraries_script(tmp: Path) -> Path:
    """A script that imports, in order, every module from outside the standard library and
    make-brief that a cold brief of the example imports, and does nothing else: the part of
    a cold brief that no change to make-brief's own code can remove."""
    std = set(sys.stdlib_module_names)
    modules = [
        m
        for m in modules_imported([str(EXAMPLE), "-o", str(tmp / "libs.pdf")])
        if m.split(".")[0] not in std and not m.startswith(("_", "make_brief"))
    ]
    script = tmp / "libraries.py"
    script.write_text(
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    try:\n        importlib.import_module(name)\n    except Exception:\n        pass\n"
    )
    return script


def warm(repeat: int, tmp: Path) -> None:
    """One process: each brief after an untimed one, each time for another candidate (Typst
    keeps what it laid out before, and so does make-brief's line cache: the same offer every
    time would flatter both). Every figure includes loading the offer file and composing the
    brief. No targets: where the time goes."""
    import itertools

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import peer_typst
    from floor import floor_brief

    from make_brief.offers.offer import load_offer
    from make_brief.render.reportlab.lines import DISABLE_ENV
    from make_brief.run.pipeline import make_pdf

    folder = tmp / "warm"
    folder.mkdir()
    text = EXAMPLE.read_text()
    shutil.copy(EXAMPLE.parent / "offer-letter.pdf", folder / "offer-letter.pdf")
    for i in range(40):
        (folder / f"offer-{i:02d}.yaml").write_text(text.replace("Jane Doe", f"Candidate {i:02d}"))
    offers = {
        name: itertools.cycle(sorted(folder.iterdir())) for name in ("brief", "uncached", "floor", "typst")
    }
    merge_only = merging(load_offer(EXAMPLE))
    render_only = rendering(sorted(folder.glob("*.yaml")))

    def uncached() -> object:  # the brief before the line cache
        os.environ[DISABLE_ENV] = "1"
        try:
            return make_pdf(load_offer(next(offers["uncached"])))
        finally:
            del os.environ[DISABLE_ENV]

    ms = medians_warm(
        {
            "brief": lambda: make_pdf(load_offer(next(offers["brief"]))),
            "uncached": uncached,
            "floor": lambda: floor_brief(next(offers["floor"])),
            "typst": lambda: peer_typst.make_pdf(next(offers["typst"])),
            "paragraphs": paragraphs_only,
            "merge": merge_only,
            "render": render_only,
        },
        repeat,
    )
    floor, ref, note = ms["floor"], "raw-canvas floor", "(no target)"
    record("warm brief, one process, another name each", ms["brief"], "ms", ref, floor, None, note=note)
    record("  the same without the line cache", ms["uncached"], "ms", ref, floor, None)
    record("  its paragraphs' line breaking alone, uncached", ms["paragraphs"], "ms", ref, floor, None)
    record("  its merge alone (spliced; pypdf copies an appendix once)", ms["merge"], "ms", ref, floor, None)
    rendered = ms["render"]
    record("  its render alone (platypus, lines cached)", rendered, "ms", ref, floor, None, note="(a floor)")
    record("warm Typst brief, the same way", ms["typst"], "ms", ref, floor, None, note="(the peer)")
    measured["uncached"] = ms["uncached"]
    if "imports" in measured:
        cold_floor()


def cold_floor() -> None:
    """The least a cold brief can take with these libraries: importing every module it
    imports, then one brief's work with nothing cached (the warm brief without the line
    cache; its fonts parsed and its wording compiled already). Put under the cold target."""
    value = measured["imports"] + measured["uncached"]
    record(
        "  its imports + one uncached warm brief",
        value,
        "ms",
        "import of its libraries",
        measured["libraries"],
        None,
        note="(its floor)",
    )
    at = next(i for i, r in enumerate(rows) if r[0] == "  every module it imports, imported alone") + 1
    rows.insert(at, rows.pop())


def merging(offer: object) -> Callable[[], object]:
    """The merge step of the example brief alone: its rendered pages and its two appendices
    (the offer letter and the guide's own) made into one PDF: spliced into the brief's own
    objects (pdfpack.py), the appendices' pages serialised by pypdf once per process."""
    from floor import example_brief

    from make_brief.pdf.merge import merge
    from make_brief.render.reportlab.render import render
    from make_brief.run.pipeline import _guide_appendices

    brief, template = example_brief()
    pdf = render(brief, template).pdf
    appendices = [(title, Path(path)) for title, path in brief.appendices] + _guide_appendices(offer)
    return lambda: merge(pdf, brief, appendices)


def rendering(files: list[Path]) -> Callable[[], object]:
    """The render step alone, for another candidate each time: the composed brief laid out
    and drawn by platypus (tables, charts, fonts' subsets, packing), its lines taken from the
    line cache as in a batch. No loading, no composing, no merge: under the batch's floor
    target, the least a platypus brief does per brief."""
    import itertools

    from make_brief.advice.compute import compute
    from make_brief.compose.brief import compose
    from make_brief.compose.templates import load_template
    from make_brief.offers.offer import load_offer
    from make_brief.render.reportlab.render import render
    from make_brief.run.pipeline import today

    template = load_template()
    briefs = []
    for path in files:
        offer = load_offer(path)
        briefs.append(compose(offer, compute(offer), template, today()))
    cycle = itertools.cycle(briefs)
    return lambda: render(next(cycle), template)


def paragraphs_only() -> int:
    """What the floor does up to drawing (load the offer, compose the brief), then the brief's
    top-level paragraphs made and broken into lines by platypus, once each, at the page's
    width: no table, chart, page break, drawing, outline, font subset or merge. The least
    that any platypus layout of this brief's text does."""
    from floor import example_brief
    from reportlab.platypus import Paragraph

    from make_brief.render.reportlab import render
    from make_brief.render.reportlab.lines import DISABLE_ENV
    from make_brief.render.reportlab.story import build_story
    from make_brief.render.reportlab.styles import Styles

    brief, template = example_brief()
    width = render.PAGE_SIZES["a4"][0] - sum(
        getattr(template.style.margins_mm, side) * render.mm for side in ("left", "right")
    )
    os.environ[DISABLE_ENV] = "1"  # each broken here, as the first brief of a process does
    try:
        with render.settings():  # reportlab's settings of a build (no shape checks)
            story = build_story(brief, Styles(template), width, 10_000)
            paragraphs = [f for f in story if isinstance(f, Paragraph)]
            for paragraph in paragraphs:
                paragraph.wrap(width, 10_000)
    finally:
        del os.environ[DISABLE_ENV]
    return len(paragraphs)


def no_appendices(tmp: Path) -> tuple[Path, Path]:
    """The example offer without its appendix, and a template that leaves out the guide's own
    appendix too (it falls back to the default for everything else): a brief with no merge."""
    plain, bare = tmp / "plain.yaml", tmp / "no-guide-appendix"
    plain.write_text(EXAMPLE.read_text().split("appendices:")[0])
    bare.mkdir(exist_ok=True)
    (bare / "style.yaml").write_text("guide_appendices: false\n")
    return plain, bare


def sizes(tmp: Path) -> None:
    from make_brief.offers.offer import load_offer
    from make_brief.run.pipeline import make_pdf

    plain, bare = no_appendices(tmp)
    alone = len(make_pdf(load_offer(plain), bare).pdf)
    record("example brief size, no appendix", alone / 1024, "KB", "40 KB target", 40, 1.0)
    tagged = len(make_pdf(load_offer(plain), bare, backend="typst", pdf_standards=("ua-1", "a-2b")).pdf)
    record("  --backend typst, PDF/UA-1 + PDF/A-2b", tagged / 1024, "KB", "60 KB target", 60, 1.0)
    merged = len(make_pdf(load_offer(EXAMPLE)).pdf)  # + the offer letter and the guide's appendix
    guide_appendix = ROOT / "data" / "guides" / "how-to-read-this-brief.pdf"
    parts = alone + (EXAMPLE.parent / "offer-letter.pdf").stat().st_size + guide_appendix.stat().st_size
    record("merged brief size", merged / 1024, "KB", "sum of parts", parts / 1024, 1.1)


def tree_rss_kb(root: int) -> int:
    """The resident memory of process `root` and all its descendants, in KB (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * os.sysconf("SC_PAGE_SIZE") // 1024
    return total


def batch(tmp: Path, small: int, large: int, rated: int, repeat: int) -> None:
    """Time per brief in a batch of `rated` offers with 2 workers (the whole command's wall
    time over the number of briefs), for make-brief, the Typst peer and the raw-canvas floor,
    taking turns; and the peak memory of all the processes of a small and of a large batch."""
    help_text = subprocess.run([EXE, "build", "--help"], capture_output=True, text=True).stdout
    if "--jobs" not in help_text:
        rows.append(("batch", "skipped: this build has no --jobs", "", "", ""))
        return
    folder = tmp / "offers"
    folder.mkdir()
    text = EXAMPLE.read_text().split("appendices:")[0]
    for i in range(large):
        (folder / f"offer-{i:05d}.yaml").write_text(text.replace("Jane Doe", f"Candidate {i:05d}"))
    few, some = tmp / "few", tmp / "some"
    for subset, count in ((few, small), (some, rated)):
        subset.mkdir()
        for path in sorted(folder.iterdir())[:count]:
            shutil.copy(path, subset / path.name)

    def run(argv: list[str], env: dict[str, str] = ENV) -> tuple[float, int]:
        """Seconds taken, and the peak of the summed resident memory of the command and all its
        processes (parent, fork server, workers), sampled every 20 ms, in KB."""
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed with status {proc.returncode}")
        return seconds, peak

    def out() -> str:
        return tempfile.mkdtemp(dir=tmp)

    py, bench = sys.executable, ROOT / "benchmarks"
    commands = {
        "make-brief": lambda: ([EXE, str(some), "--out-dir", out(), "-j", "2", "-q"], ENV),
        "typst": lambda: ([py, str(bench / "peer_typst.py"), "--batch", str(some), out(), "-j", "2"], ENV),
        "backend typst": lambda: (
            [EXE, str(some), "--out-dir", out(), "-j", "2", "-q", "--backend", "typst"],
            ENV,
        ),
        "backend typst ua": lambda: (
            [EXE, str(some), "--out-dir", out(), "-j", "2", "-q", "--backend", "typst", *STANDARDS],
            ENV,
        ),
        "floor": lambda: ([py, str(bench / "floor.py"), "--batch", str(some), out(), "-j", "2"], ENV),
        "uncached": lambda: (
            [EXE, str(some), "--out-dir", out(), "-j", "2", "-q"],
            {**ENV, "MAKE_BRIEF_NO_LINE_CACHE": "1"},
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):  # taking turns, so that a busy moment of a shared machine hits all
        for name, command in commands.items():
            times[name].append(run(*command())[0] * 1000 / rated)
    per = {name: statistics.median(found) for name, found in times.items()}
    label = f"batch of {rated}, 2 workers: ms per brief"
    record(label, per["make-brief"], "ms", "Typst's per brief", per["typst"], 1.0)
    record(label, per["make-brief"], "ms", "raw-canvas floor's", per["floor"], 1.2)
    record(
        "  Typst's per brief", per["typst"], "ms", "raw-canvas floor's", per["floor"], None, note="(the peer)"
    )
    typst = f"batch of {rated}, --backend typst: ms per brief"
    record(typst, per["backend typst"], "ms", "Typst's per brief", per["typst"], 1.0)
    record(
        "  … with PDF/UA-1 + PDF/A-2b", per["backend typst ua"], "ms", "Typst's per brief", per["typst"], 1.0
    )
    record("  … against reportlab's", per["backend typst"], "ms", "make-brief's", per["make-brief"], None)
    record(
        "  make-brief without the line cache", per["uncached"], "ms", "make-brief's", per["make-brief"], None
    )
    argv = [EXE, str(few), "--out-dir", out(), "-j", "2", "-q"]
    _, peak_small = run(argv)
    _, peak_large = run([EXE, str(folder), "--out-dir", out(), "-j", "2", "-q"])
    record(f"peak memory, {large} offers", peak_large / 1024, "MB", f"{small} offers", peak_small / 1024, 1.2)


STANDARDS = ("--pdf-standard", "ua-1", "--pdf-standard", "a-2b")


def compiled() -> None:
    """Byte-compile make-brief as `pip install .` does. An editable install run with
    PYTHONDONTWRITEBYTECODE set (as on some CI machines) would otherwise compile every module
    from source in every cold run: about 25 ms that no installed copy pays."""
    import compileall

    import make_brief

    compileall.compile_dir(Path(make_brief.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller batches")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--only", choices=["cold", "warm", "sizes", "batch"], help="run one part only")
    args = parser.parse_args()
    repeat = 5 if args.quick else 11
    compiled()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        parts = {
            "cold": lambda: cold(repeat, tmp),
            "warm": lambda: warm(10 if args.quick else 30, tmp),
            "sizes": lambda: sizes(tmp),
            "batch": lambda: batch(tmp, 50, 400, 60, 2) if args.quick else batch(tmp, 50, 2000, 200, 3),
        }
        for name, part in parts.items():
            if args.only in (None, name):
                part()
    print(
        f"make-brief benchmark · {platform.python_implementation()} {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · medians of {repeat} cold runs"
    )
    header = ("figure", "value", "reference", "ratio", "target")
    if args.markdown:
        for row in [header, ("---",) * 5, *rows]:
            cells = [row[0].replace("  ", "… ", 1) if row[0].startswith("  ") else row[0], *row[1:]]
            print("| " + " | ".join(cells) + " |")
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))


if __name__ == "__main__":
    main()
