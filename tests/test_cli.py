"""The command, through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, offer_data

from make_brief import __version__
from make_brief.cli import main


def test_default_command_writes_output_slug_pdf(runner, in_tmp, write_offer, read_pdf):
    path = write_offer(offer_data(candidate={"name": "Zoë Łukasiewicz"}))
    result = runner.invoke(main, [str(path)])
    assert result.exit_code == 0, result.output
    expected = Path("output") / "zoe-lukasiewicz-segment-engineering-manager.pdf"
    assert result.stdout.strip() == str(expected)
    assert "Zoë Łukasiewicz" in read_pdf(in_tmp / expected).flat


def test_output_and_page_size(runner, in_tmp, write_offer, read_pdf):
    path = write_offer(offer_data())
    result = runner.invoke(main, [str(path), "-o", "brief.pdf", "--page-size", "letter"])
    assert result.exit_code == 0, result.output
    assert round(float(read_pdf(in_tmp / "brief.pdf").reader.pages[0].mediabox.width)) == 612


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda w: w("candidate: [", "bad.yaml"), "bad.yaml:2: invalid YAML"),
        (
            lambda w: w(offer_data(region="Paris"), "paris.yaml"),
            "paris.yaml:5: region: unknown region 'Paris' (the guide has: San Francisco, New York, London)",
        ),
        (
            lambda w: w(offer_data(appendices=["gone.pdf"]), "gone.yaml"),
            "gone.yaml:13: appendices.0: no such file",
        ),
        (lambda w: Path("missing.yaml"), "missing.yaml: no such offer file (check the path)"),
    ],
)
def test_bad_input_is_one_line_and_no_file(runner, in_tmp, write_offer, setup, expected):
    path = setup(write_offer)
    result = runner.invoke(main, [str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not (in_tmp / "output").exists() or not any((in_tmp / "output").iterdir())


def test_validate(runner, in_tmp, write_offer):
    good = write_offer(offer_data(), "good.yaml")
    bad = write_offer(offer_data(region="Mars"), "bad.yaml")
    result = runner.invoke(main, ["validate", str(good)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ok: {good}: Jane Doe, Engineering Manager at Segment, San Francisco"
    result = runner.invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 1 and "unknown region 'Mars'" in result.stderr
    assert not (in_tmp / "output").exists()


def test_init_writes_a_sample_that_builds(runner, in_tmp):
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0 and (in_tmp / "offer.yaml").exists()
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    built = runner.invoke(main, ["offer.yaml"])
    assert built.exit_code == 0, built.output
    assert (in_tmp / "output" / "jane-doe-segment-engineering-manager.pdf").exists()


def test_version_and_help(runner):
    assert runner.invoke(main, ["--version"]).stdout.strip() == f"make-brief, version {__version__}"
    help_text = runner.invoke(main, ["--help"]).stdout
    assert "Examples:" in help_text and "make-brief offer.yaml" in help_text
    for command in ("build", "init", "validate"):
        assert command in help_text


def test_several_offers_continue_past_a_bad_one(runner, in_tmp, write_offer):
    good = write_offer(offer_data(), "a.yaml")
    bad = write_offer(offer_data(region="Mars"), "b.yaml")
    result = runner.invoke(main, [str(bad), str(good), "--out-dir", "briefs"])
    assert result.exit_code == 1
    assert "1 of 2 briefs failed" in result.stderr
    assert (in_tmp / "briefs" / "jane-doe-segment-engineering-manager.pdf").exists()


def test_real_subprocess_on_the_bundled_example(tmp_path, read_pdf):
    exe = shutil.which("make-brief") or str(Path(sys.executable).with_name("make-brief"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}
    done = subprocess.run(
        [exe, str(EXAMPLES / "offer.yaml"), "-o", str(tmp_path / "b.pdf")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "b.pdf") and done.stderr == ""
    pdf = read_pdf(tmp_path / "b.pdf")
    assert [title for title, _ in pdf.outline[-2:]] == [
        "Offer letter",
        "How to read this brief and where the numbers come from",
    ]
    bad = subprocess.run(
        [exe, str(tmp_path / "nope.yaml")], capture_output=True, text=True, env=env, timeout=60
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """`make-brief guides list | head -1`: no traceback, no "internal error" when the pipe closes."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "make_brief", "guides", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before a line is written
    error = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait() == 141
    assert error == b""


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["--help"], {"reportlab", "pypdf", "jinja2", "babel", "yaml", "msgspec", "multiprocessing"}),
        (["validate", "examples/offer.yaml"], {"reportlab", "pypdf", "jinja2", "babel", "multiprocessing"}),
        (["build", "PLAIN", "--template", "BARE", "-o", "OUT"], {"pypdf", "multiprocessing"}),
    ],
    ids=["help", "validate", "brief without appendices"],
)
def test_nothing_heavy_is_imported_before_it_is_needed(tmp_path, argv, absent):
    """Start-up cost is imports: --help and validate load no PDF, template or locale library,
    and a brief with nothing to merge loads no pypdf (and one brief, no process pool)."""
    import ast
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    plain = tmp_path / "plain.yaml"
    plain.write_text((root / "examples" / "offer.yaml").read_text().split("appendices:")[0])
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "style.yaml").write_text("guide_appendices: false\n")
    names = {"PLAIN": str(plain), "BARE": str(tmp_path / "bare"), "OUT": str(tmp_path / "o.pdf")}
    args = [names.get(a, a) for a in argv]
    code = (
        "import sys\nfrom make_brief.cli import main\n"
        f"try:\n    main({args!r}, prog_name='make-brief')\nexcept SystemExit as e:\n    code = e.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))\nsys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(ast.literal_eval(done.stdout.splitlines()[-1]))
    assert not loaded & absent, loaded & absent
