"""Hostile paths: appendices that lead out of the offer's folder, devices and links, output names
built from hostile names, output folders that cannot be written or fill up, and work killed
half-way. Nothing outside the inputs' folders gets into a brief, and no partial file is left."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hostile import GUIDE, build, dump, made, offer, refused

from make_brief.errors import OutputError
from make_brief.files import output
from make_brief.run.pipeline import build_brief

LETTER = Path(__file__).resolve().parent.parent / "examples" / "offer-letter.pdf"
OUTSIDE = "leads outside the folders an appendix may come from"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """tmp_path/offers holds the offer (and is the cwd); tmp_path/elsewhere a PDF it may not use."""
    monkeypatch.delenv("MAKE_BRIEF_APPENDIX_DIRS", raising=False)
    (tmp_path / "offers").mkdir()
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(LETTER, tmp_path / "elsewhere" / "secret.pdf")
    shutil.copy(LETTER, tmp_path / "offers" / "letter.pdf")
    monkeypatch.chdir(tmp_path / "offers")
    return tmp_path / "offers"


def write(folder: Path, appendix: str) -> None:
    (folder / "o.yaml").write_text(dump(offer(appendices=[appendix])))


@pytest.mark.parametrize(
    ("appendix", "expected"),
    [
        ("../../../../../../etc/passwd", OUTSIDE),
        ("/etc/passwd", OUTSIDE),
        ("../elsewhere/secret.pdf", OUTSIDE),
        ("{elsewhere}/secret.pdf", OUTSIDE),
        ("~/secret.pdf", "no such file '~/secret.pdf'"),
        ("/dev/zero", OUTSIDE),
        ("link-to-passwd.pdf", OUTSIDE),
        ("link-to-secret.pdf", OUTSIDE),
        ("link-to-zero.pdf", OUTSIDE),
        ("loop.pdf", "cannot open 'loop.pdf'"),
        ("folder.pdf", "'folder.pdf' is not a regular file"),
        ("fifo.pdf", "'fifo.pdf' is not a regular file"),
        ("gone.pdf", "no such file 'gone.pdf' (paths are relative to the offer file)"),
        ("letter.pdf/x", "cannot open 'letter.pdf/x'"),
        ("a\0b.pdf", "'a\\x00b.pdf' is not a file name"),
        ("   ", "is not a file name"),
    ],
)
def test_appendices_that_lead_out_of_the_offers_folder_are_refused(here, appendix, expected):
    (here / "link-to-passwd.pdf").symlink_to("/etc/passwd")
    (here / "link-to-secret.pdf").symlink_to(here.parent / "elsewhere" / "secret.pdf")
    (here / "link-to-zero.pdf").symlink_to("/dev/zero")
    (here / "loop.pdf").symlink_to(here / "loop.pdf")
    (here / "folder.pdf").mkdir()
    os.mkfifo(here / "fifo.pdf")
    write(here, appendix.replace("{elsewhere}", str(here.parent / "elsewhere")))
    line = refused(build(["o.yaml", "-o", "out.pdf"]), "o.yaml:13: appendices.0: ", expected)
    assert not (here / "out.pdf").exists() and not list(here.glob(".*.part"))
    if expected == OUTSIDE:
        assert line.endswith(
            "(copy it next to the offer file, or add its folder to $MAKE_BRIEF_APPENDIX_DIRS)"
        )


@pytest.mark.parametrize("appendix", ["letter.pdf", "./sub/../letter.pdf", "{here}/letter.pdf", "link.pdf"])
def test_appendices_inside_the_offers_folder_are_merged(here, appendix):
    (here / "sub").mkdir()
    (here / "link.pdf").symlink_to("letter.pdf")
    write(here, appendix.replace("{here}", str(here)))
    pdf = made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert "Offer of employment" in pdf.pages[-2]  # the guide's own appendix comes last


def test_another_folder_can_be_allowed(here, monkeypatch):
    write(here, "../elsewhere/secret.pdf")
    monkeypatch.setenv("MAKE_BRIEF_APPENDIX_DIRS", str(here.parent / "elsewhere"))
    assert "Offer of employment" in made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf").pages[-2]


def test_a_guides_appendix_must_stay_in_the_guides_folder(here, monkeypatch):
    guides = here.parent / "guides"
    guides.mkdir()
    guide = yaml.safe_load(GUIDE.read_text(encoding="utf-8"))
    guide["appendices"] = [{"title": "Passwords", "file": "../../../../../etc/passwd"}]
    (guides / "leaky.yaml").write_text(dump(guide))
    monkeypatch.setenv("MAKE_BRIEF_GUIDES", str(guides))
    (here / "o.yaml").write_text(dump(offer(guide="leaky")))
    refused(build(["o.yaml", "-o", "out.pdf"]), f"{guides / 'leaky.yaml'}: appendices.0.file: ", OUTSIDE)
    assert not (here / "out.pdf").exists() and not list(here.glob(".*.part"))


# --- output names and folders ------------------------------------------------------------------


def test_output_names_from_hostile_names_are_safe_file_names(here):
    names = {
        "../../etc/passwd": "etc-passwd",
        "a/b\\c": "a-b-c",
        "....": "candidate",
        "..": "candidate",
        "-rf --no-preserve-root": "rf-no-preserve-root",
        "— · —": "candidate",  # nothing to transliterate (an emoji-only name is refused: test_fonts)
        "Zoë / Ørsted": "zoe-orsted",
        "x" * 300: "x" * 60,
        "Ann <b>Lee</b> & Co": "ann-b-lee-b-co",
    }
    for i, name in enumerate(names):
        (here / f"{i}.yaml").write_text(dump(offer(candidate={"name": name})))
        result = build([f"{i}.yaml", "--out-dir", "briefs"])
        expected = f"{names[name]}-segment-engineering-manager.pdf"
        assert result.exit_code == 0 and result.stdout == f"briefs/{expected}\n", result.output
        assert (here / "briefs" / expected).is_file()
    assert sorted(p.name for p in (here / "briefs").rglob("*")) == sorted(
        f"{slug}-segment-engineering-manager.pdf" for slug in set(names.values())
    )
    assert not (here.parent / "etc").exists()


def test_output_names_that_cannot_be_files_are_refused(here):
    (here / "o.yaml").write_text(dump(offer()))
    long_name = "x" * 1000 + ".pdf"
    refused(
        build(["o.yaml", "-o", long_name]),
        long_name,
        "cannot write the brief: File name too long",
    )
    with pytest.raises(OutputError, match="is not a file name"):  # a NUL cannot come through argv
        build_brief(here / "o.yaml", here / "a\0b.pdf")
    (here / "blocked.pdf").mkdir()
    with pytest.raises(OutputError, match="blocked.pdf: is a folder; give a file name"):
        build_brief(here / "o.yaml", here / "blocked.pdf")  # the command line refuses it earlier
    (here / "briefs" / "jane-doe-segment-engineering-manager.pdf").mkdir(parents=True)
    refused(
        build(["o.yaml", "--out-dir", "briefs"]),
        "briefs/jane-doe-segment-engineering-manager.pdf: is a folder",
    )
    os.mkfifo(here / "fifo.pdf")
    refused(build(["o.yaml", "-o", "fifo.pdf"]), "fifo.pdf: is a device or other special file")
    assert (here / "fifo.pdf").is_fifo()
    assert sorted(p.name for p in here.rglob("*")) == [
        "blocked.pdf",
        "briefs",
        "fifo.pdf",
        "jane-doe-segment-engineering-manager.pdf",
        "letter.pdf",
        "o.yaml",
    ]


def test_an_output_symlink_is_replaced_not_written_through(here):
    victim = here.parent / "elsewhere" / "victim.txt"
    victim.write_text("precious")
    (here / "out.pdf").symlink_to(victim)
    (here / "o.yaml").write_text(dump(offer()))
    made(build(["o.yaml", "-o", "out.pdf"]), here / "out.pdf")
    assert not (here / "out.pdf").is_symlink() and victim.read_text() == "precious"


def test_an_output_folder_that_cannot_be_made_or_written(here):
    (here / "o.yaml").write_text(dump(offer()))
    (here / "a-file").write_text("not a folder")
    refused(
        build(["o.yaml", "--out-dir", "a-file/briefs"]),
        "a-file/briefs: cannot create the folder: a file is in the way",
    )
    refused(
        build(["o.yaml", "-o", "a-file/brief.pdf"]), "a-file: cannot create the folder: a file is in the way"
    )
    if Path("/proc/self").is_dir():  # a folder nobody can add files to, even root
        refused(build(["o.yaml", "-o", "/proc/brief.pdf"]), "/proc: cannot write here: ")
    assert (here / "a-file").read_text() == "not a folder"


class _FillsUp:
    """A file handle on a disk that fills up half-way through the write."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.handle, name)


def test_a_disk_that_fills_up_half_way_leaves_the_old_brief_whole(here, monkeypatch):
    (here / "o.yaml").write_text(dump(offer()))
    made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    before = (here / "brief.pdf").read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: _FillsUp(real_fdopen(fd, mode)))
    (here / "o.yaml").write_text(dump(offer(candidate={"name": "Someone Else"})))
    refused(
        build(["o.yaml", "-o", "brief.pdf", "--force"]),  # another person's: replaced only when forced
        "brief.pdf: cannot write the brief: No space left on device",
    )
    assert (here / "brief.pdf").read_bytes() == before
    assert sorted(p.name for p in here.iterdir()) == ["brief.pdf", "letter.pdf", "o.yaml"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError(errno.EIO, "Input/output error")])
def test_a_failure_after_the_temporary_file_is_written_leaves_nothing(here, monkeypatch, failure):
    (here / "o.yaml").write_text(dump(offer()))

    def replace(src, dst):
        assert Path(src).stat().st_size > 10_000  # the whole brief was written, and then:
        raise failure

    monkeypatch.setattr(output.os, "replace", replace)
    result = build(["o.yaml", "-o", "brief.pdf"])
    if failure is KeyboardInterrupt:
        assert result.exit_code == 130 and result.stderr == "interrupted\n"
    else:
        refused(result, "brief.pdf: cannot write the brief: Input/output error")
    assert sorted(p.name for p in here.iterdir()) == ["letter.pdf", "o.yaml"]


# --- killed half-way -----------------------------------------------------------------------------

HOOK = """
import os, pathlib, sys, time
import make_brief.render.reportlab.render

target = {target}

stage = pathlib.Path(sys.argv[1])
original = target.{function}

def stopped(*args, **kwargs):
    if {after}:
        original(*args, **kwargs)
    stage.write_text("reached")
    time.sleep(600)  # killed here

target.{function} = stopped
from make_brief.cli import main
main(sys.argv[2:])
"""


def _killed_at(folder: Path, target: str, function: str, after: bool) -> None:
    """Run make-brief in a subprocess, wait until it reaches `target.function`, SIGKILL it."""
    script = folder.parent / "hook.py"
    script.write_text(HOOK.format(target=target, function=function, after=after))
    stage = folder.parent / "stage"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}
    process = subprocess.Popen(
        [sys.executable, str(script), str(stage), "o.yaml", "-o", "brief.pdf"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        waited = 0.0
        while not stage.exists() and process.poll() is None and waited < 120:
            time.sleep(0.05)
            waited += 0.05
        assert stage.exists(), process.stderr.read() if process.poll() is not None else "never reached"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def test_a_brief_killed_while_rendering_leaves_nothing_and_a_rerun_makes_it(here):
    (here / "o.yaml").write_text(dump(offer()))
    _killed_at(here, "make_brief.render.reportlab.render", "render", after=False)
    assert sorted(p.name for p in here.iterdir()) == ["letter.pdf", "o.yaml"]
    assert "Jane Doe" in made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf").flat


def test_a_brief_killed_while_writing_leaves_no_brief_and_a_rerun_cleans_up(here):
    (here / "o.yaml").write_text(dump(offer()))
    _killed_at(here, "os", "fsync", after=True)  # the data is written, not yet renamed
    leftovers = [p.name for p in here.iterdir() if p.name not in ("letter.pdf", "o.yaml")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".brief.pdf.") and leftovers[0].endswith(".part")
    assert not (here / "brief.pdf").exists()  # a reader never sees a partial brief.pdf
    pdf = made(build(["o.yaml", "-o", "brief.pdf"]), here / "brief.pdf")
    assert "Jane Doe" in pdf.flat
    assert sorted(p.name for p in here.iterdir()) == ["brief.pdf", "letter.pdf", "o.yaml"]
