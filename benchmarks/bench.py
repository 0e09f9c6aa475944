"""make-brief's benchmark: each figure as a median over repeated runs, beside its reference
measured in the same run, and the ratio against its target.

    python benchmarks/bench.py            # about a minute
    python benchmarks/bench.py --quick    # fewer repeats

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
) -> None:
    """A figure beside its reference: the ratio, and whether it meets the target ratio (a
    figure with no limit is a part of the one above it, there to show where the time goes)."""
    ratio = value / ref_value if ref_value else float("nan")
    if limit is None:
        target = "(a part of the above)"
    else:
        ok = ratio >= limit if at_least else ratio <= limit
        target = f"{'≥' if at_least else '≤'} {limit:g}× {'✓' if ok else '✗'}"
    shown = (f"{value:,.1f} {unit}", f"{reference} = {ref_value:,.1f} {unit}", f"{ratio:.2f}×")
    rows.append((name, *shown, target))


def cold(repeat: int, tmp: Path) -> None:
    py = sys.executable
    plain, bare = no_appendices(tmp)
    ms = medians_cold(
        {
            "click": [py, "-c", "import click"],
            "platypus": [py, "-c", "import reportlab.platypus"],
            "both": [py, "-c", "import reportlab.platypus, pypdf"],
            "brief": [EXE, str(EXAMPLE), "-o", str(tmp / "cold.pdf")],
            "plain": [EXE, str(plain), "--template", str(bare), "-o", str(tmp / "plain.pdf")],
            "libraries": [py, str(libraries_script(tmp))],
            "help": [EXE, "--help"],
            "validate": [EXE, "validate", str(EXAMPLE)],
        },
        repeat,
    )
    both = ms["both"]
    rows.append(("import reportlab.platypus (reference)", f"{ms['platypus']:,.1f} ms", "", "", ""))
    record("cold make-brief examples/offer.yaml", ms["brief"], "ms", "import platypus+pypdf", both, 1.5)
    record("  its libraries' imports alone", ms["libraries"], "ms", "import platypus+pypdf", both, None)
    record("cold make-brief, no appendix", ms["plain"], "ms", "import platypus+pypdf", both, 1.5)
    loaded = "pypdf" in modules_imported([str(plain), "--template", str(bare), "-o", str(tmp / "p2.pdf")])
    rows.append(("pypdf imported without appendices?", str(loaded), "", "", "must be False"))
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
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from floor import floor_from_example

    from make_brief.offer import load_offer
    from make_brief.pipeline import make_pdf

    offer = load_offer(EXAMPLE)
    plain, bare = no_appendices(tmp)
    alone = load_offer(plain)
    merge_only = merging(offer)
    ms = medians_warm(
        {
            "brief": lambda: make_pdf(offer),
            "floor": floor_from_example,
            "paragraphs": paragraphs_only,
            "merge": merge_only,
        },
        repeat,
    )
    floor = ms["floor"]
    record("warm brief (render + merge)", ms["brief"], "ms", "raw-canvas floor", floor, 1.5)
    record("  its paragraphs' line breaking alone", ms["paragraphs"], "ms", "raw-canvas floor", floor, None)
    record("  its merge alone (pypdf)", ms["merge"], "ms", "raw-canvas floor", floor, None)
    # the template of the brief without appendices is not the default, and make-brief keeps
    # one template loaded at a time: taking turns with it would load both on every turn
    ms = medians_warm({"no merge": lambda: make_pdf(alone, bare)}, repeat)
    record("warm brief, no appendix (no merge)", ms["no merge"], "ms", "raw-canvas floor", floor, 1.5)


def merging(offer: object) -> Callable[[], object]:
    """The merge step of the example brief alone: its rendered pages and its two appendices
    (the offer letter and the guide's own) made into one PDF by pypdf."""
    from floor import example_brief

    from make_brief.merge import merge
    from make_brief.pipeline import _guide_appendices
    from make_brief.render import render

    brief, template = example_brief()
    pdf = render(brief, template).pdf
    appendices = [(title, Path(path)) for title, path in brief.appendices] + _guide_appendices(offer)
    return lambda: merge(pdf, brief, appendices)


def paragraphs_only() -> int:
    """What the floor does up to drawing (load the offer, compose the brief), then the brief's
    top-level paragraphs made and broken into lines by platypus, once each, at the page's
    width: no table, chart, page break, drawing, outline, font subset or merge. The least
    that any platypus layout of this brief's text does."""
    from floor import example_brief
    from reportlab.platypus import Paragraph

    from make_brief import render

    brief, template = example_brief()
    width = render.PAGE_SIZES["a4"][0] - sum(
        getattr(template.style.margins_mm, side) * render.mm for side in ("left", "right")
    )
    story = render._flowables(brief, render.Styles(template), width, 10_000)
    paragraphs = [f for f in story if isinstance(f, Paragraph)]
    for paragraph in paragraphs:
        paragraph.wrap(width, 10_000)
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
    from make_brief.offer import load_offer
    from make_brief.pipeline import make_pdf

    plain, bare = no_appendices(tmp)
    alone = len(make_pdf(load_offer(plain), bare).pdf)
    record("example brief size, no appendix", alone / 1024, "KB", "40 KB target", 40, 1.0)
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


def batch(tmp: Path, small: int, large: int, rated: int) -> None:
    """Briefs per second with 1 and 2 workers over `rated` offers (enough that starting the
    workers, about half a second, does not dominate; median of three), and the peak memory of
    all the processes of a small and of a large batch."""
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

    def run(source: Path, jobs: int) -> tuple[float, int]:
        """Seconds taken, and the peak of the summed resident memory of the command and all its
        processes (parent, fork server, workers), sampled every 20 ms, in KB."""
        out = tempfile.mkdtemp(dir=tmp)
        argv = [EXE, str(source), "--out-dir", out, "-j", str(jobs), "-q"]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed with status {proc.returncode}")
        return seconds, peak

    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(3):  # interleaved, so that a busy moment of a shared machine hits both
        for jobs in (1, 2):
            times[jobs].append(run(some, jobs)[0])
    rate1, rate2 = rated / statistics.median(times[1]), rated / statistics.median(times[2])
    record(f"batch of {rated}: briefs/s, 2 workers", rate2, "/s", "1 worker", rate1, 1.8, at_least=True)
    _, peak_small = run(few, 2)
    _, peak_large = run(folder, 2)
    record(f"peak memory, {large} offers", peak_large / 1024, "MB", f"{small} offers", peak_small / 1024, 1.2)


def compiled() -> None:
    """Byte-compile make-brief as `pip install .` does. An editable install run with
    PYTHONDONTWRITEBYTECODE set (as on some CI machines) would otherwise compile every module
    from source in every cold run: about 25 ms that no installed copy pays."""
    import compileall

    import make_brief

    compileall.compile_dir(Path(make_brief.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller batch")
    args = parser.parse_args()
    repeat = 5 if args.quick else 11
    compiled()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cold(repeat, tmp)
        warm(10 if args.quick else 30, tmp)
        sizes(tmp)
        batch(tmp, 50, 400 if args.quick else 2000, 60 if args.quick else 200)
    print(
        f"make-brief benchmark · {platform.python_implementation()} {platform.python_version()} · "
        f"{platform.machine()} · {os.cpu_count()} cores · medians of {repeat} cold runs"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in [("figure", "value", "reference", "ratio", "target"), *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))


if __name__ == "__main__":
    main()
