"""Faults from outside: a parent killed mid-batch, Ctrl-C, a disk that fills, odd folder names,
two batches into one folder, spreadsheets' CSV. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data

from make_brief.cli import main


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def many_offers(tmp_path: Path, write_offer, count: int) -> Path:
    (tmp_path / "offers").mkdir()
    for i in range(count):
        write_offer(offer_data(candidate={"name": f"Person {i}"}), f"offers/p{i:04}.yaml")
    return tmp_path / "offers"


def descendants(pid: int) -> set[int]:
    """The processes below `pid`, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def with_ctrl_c() -> None:
    """In a child about to start: Ctrl-C as a terminal gives it. A test run started in the
    background of a non-interactive shell inherits SIGINT ignored, and Python then leaves it
    ignored (no KeyboardInterrupt at all), which is not the case these tests are about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_batch(offers: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "make_brief", str(offers), "-o", str(out), "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=with_ctrl_c,
    )


def wait_for(condition, limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_exit_with_a_parent_killed_mid_batch(tmp_path, write_offer):
    offers, out = many_offers(tmp_path, write_offer, 60), tmp_path / "out"
    batch = start_batch(offers, out)
    below: set[int] = set()
    try:
        assert wait_for(lambda: out.is_dir() and any(out.glob("*.pdf")))
        below = descendants(batch.pid)
        assert len(below) >= 3  # the fork server and two workers
        batch.kill()  # as the out-of-memory killer does: no chance to clean up
        batch.wait()
        batch.stderr.close()
        assert wait_for(lambda: not any(alive(pid) for pid in below), limit=10)
    finally:
        for pid in below | descendants(batch.pid) | {batch.pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_ctrl_c_is_one_line_and_exit_130(tmp_path, write_offer):
    # enough offers that the batch is still at work when the signal comes, however fast it is
    offers, out = many_offers(tmp_path, write_offer, 400), tmp_path / "out"
    batch = start_batch(offers, out)
    assert wait_for(lambda: out.is_dir() and any(out.glob("*.pdf")))
    os.killpg(batch.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    try:
        _, stderr = batch.communicate(timeout=60)
    finally:
        for pid in descendants(batch.pid) | {batch.pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert batch.returncode == 130
    assert stderr.decode() == "interrupted\n"
    assert not list(out.glob(".*.part"))


# --- spreadsheets' CSV ------------------------------------------------------------------------

COLUMNS = "candidate.name;candidate.email;guide;region;offer.base;offer.stock;offer.bonus_pct"


def test_excel_sep_line_and_a_decimal_comma_are_read(tmp_path):
    jane = "Jane Doe;jane@example.com;segment-engineering-manager;San Francisco;210000;180000"
    excel, plain = tmp_path / "excel.csv", tmp_path / "plain.csv"
    excel.write_text(f"sep=;\n{COLUMNS}\n{jane};15,5\n", encoding="utf-8")
    plain.write_text(f"{COLUMNS}\n{jane};15.5\n".replace(";", ","), encoding="utf-8")
    for table in (excel, plain):
        result = run(table, "-o", tmp_path / table.stem)
        assert result.exit_code == 0, result.output
    name = "jane-doe-segment-engineering-manager.pdf"
    assert (tmp_path / "excel" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()


def test_a_table_with_a_header_and_no_rows_says_so(tmp_path):
    table = tmp_path / "people.csv"
    table.write_text(COLUMNS.replace(";", ",") + "\n", encoding="utf-8")
    result = run(table, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert (
        f"error: {table}: has a header but no rows: there is no candidate to make a brief for"
        in result.stderr
    )
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_killed_runs_manifest_leftovers_are_removed(tmp_path, write_offer):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    pid = int(dead.stdout)  # a process that has ended
    leftovers = [out / f".manifest.csv.{pid}.abc123.part", out / ".manifest.csv.k2j4_x9z.part"]
    for leftover in leftovers:
        leftover.write_text("input,output\n", encoding="utf-8")
    offers = many_offers(tmp_path, write_offer, 2)
    assert run(offers, "-o", out).exit_code == 0
    assert not any(p.exists() for p in leftovers)
    assert (out / "manifest.csv").is_file()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_when_the_manifest_closes_keeps_every_line(tmp_path, write_offer):
    """The briefs fit, the manifest does not: a tmpfs filled up by a ballast file."""
    from make_brief.offers.inputs import expand
    from make_brief.run.batch import Batch, Settings
    from make_brief.run.manifest import Manifest

    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("this machine does not allow a tmpfs mount")
    try:
        offers = many_offers(tmp_path, write_offer, 3)
        manifest = Manifest(disk)
        for outcome in Batch(disk, Settings()).run(expand([offers])):
            manifest.add(outcome)
        ballast = disk / "ballast"
        with open(ballast, "wb", buffering=0) as handle:  # fill what is left, to the last byte
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass
        with pytest.raises(Exception) as caught:
            manifest.close()
        assert (
            str(caught.value)
            == f"{disk / 'manifest.csv'}: cannot write the manifest: No space left on device"
        )
        assert not list(disk.glob(".*.part")) and not (disk / "manifest.csv").exists()
        assert len(list(disk.glob("*.pdf"))) == 3  # the briefs themselves are whole
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_an_output_folder_whose_name_is_not_utf8_works(tmp_path, write_offer):
    """b"out-\\xff" as Linux hands it to Python (surrogateescape): briefs written, the manifest
    (and passwords.csv, the journal) keep the name's bytes, lines show it escaped as \\xff."""
    from smtp_sink import SmtpServer

    (tmp_path / "offers").mkdir()
    for i in range(2):
        who = {"name": f"Person {i}", "email": f"p{i}@example.com"}
        write_offer(offer_data(candidate=who), f"offers/p{i}.yaml")
    offers, out = tmp_path / "offers", tmp_path / os.fsdecode(b"out-\xff")
    journal = tmp_path / "journal.sqlite"
    env = {**os.environ, "LC_ALL": "C.UTF-8", "MAKE_BRIEF_DEBUG": "1"}
    with SmtpServer() as server:
        command = [sys.executable, "-m", "make_brief", str(offers), "-o", str(out), "-j", "1", "--lock"]
        mail = [*server.options, "--send", "--journal", str(journal), "--from", "coach@example.org"]
        done = subprocess.run([*command, *mail], capture_output=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
        assert len(server.sink.received) == 2
        again = subprocess.run(
            [sys.executable, "-m", "make_brief", "mail", str(out), *mail],
            capture_output=True,
            env=env,
            timeout=300,
        )
    shown = os.fsencode(tmp_path) + b"/out-\\xff/"
    assert done.stdout.splitlines()[0] == shown + b"person-0-segment-engineering-manager.pdf"
    assert done.stderr.endswith(
        b"2 of 2 briefs made (listed in " + shown + b"manifest.csv)\nmessages: 2 sent, 0 held, 0 failed\n"
    )
    assert again.returncode == 0 and again.stdout.count(b"already sent, unchanged: ") == 2
    assert len(server.sink.received) == 2
    raw = os.fsencode(out)
    assert sorted(n for n in os.listdir(raw) if not n.startswith(b".")) == [
        b"deliveries.jsonl",
        b"manifest.csv",
        b"passwords.csv",
        b"person-0-segment-engineering-manager.pdf",
        b"person-1-segment-engineering-manager.pdf",
    ]
    with open(os.path.join(raw, b"manifest.csv"), "rb") as manifest:
        assert raw + b"/person-1-segment-engineering-manager.pdf" in manifest.read()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_when_the_manifest_closes_keeps_every_line_of_the_run(tmp_path, write_offer):
    """The same at the command line: the briefs fit exactly, the manifest does not. Each failure
    keeps its line, and the summary says the manifest was not written and where the briefs are."""
    offers = many_offers(tmp_path, write_offer, 3)
    write_offer({**offer_data(), "region": "Atlantis"}, "offers/zz-bad.yaml")
    assert run(offers, "-o", tmp_path / "sizes").exit_code == 1  # the briefs' sizes, to fit them
    pages = sum(-(-p.stat().st_size // 4096) for p in (tmp_path / "sizes").glob("*.pdf"))
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("this machine does not allow a tmpfs mount")
    try:
        with open(disk / "ballast", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass
        os.truncate(disk / "ballast", (disk / "ballast").stat().st_size - pages * 4096)
        out = disk / "out"
        result = run(offers, "-o", out)
        assert result.exit_code == 1, result.output
        assert len(list(out.glob("*.pdf"))) == 3 and not list(out.glob(".*.part"))
        assert not (out / "manifest.csv").exists()
        bad = f"{offers / 'zz-bad.yaml'}:"
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"error: {bad}") and "Atlantis" in lines[0]
        assert lines[1:] == [
            f"error: {out / 'manifest.csv'}: cannot write the manifest: No space left on device;"
            f" the briefs that were made are in {out}",
            f"1 of 4 briefs failed; 3 made (in {out}; the manifest could not be written)",
        ]
        assert result.stdout.count(str(out)) == 3  # each brief's line
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_two_batches_into_one_folder_the_manifest_lists_what_is_on_disk(tmp_path, write_offer):
    import csv
    import hashlib

    out = tmp_path / "out"
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    write_offer(offer_data(candidate={"name": "Ann Lee"}), "a/ann.yaml")
    write_offer(offer_data(candidate={"name": "Bo Chen"}), "a/bo.yaml")
    write_offer(offer_data(candidate={"name": "Di Evans"}), "a/di.yaml")
    assert run(tmp_path / "a", "-o", out).exit_code == 0
    changed = offer_data(candidate={"name": "Bo Chen"})
    changed["offer"] = {**changed["offer"], "base": 250000}
    write_offer(changed, "b/bo.yaml")  # Bo's brief made again, with other figures
    write_offer(offer_data(candidate={"name": "Cy Diaz"}), "b/cy.yaml")
    (out / "di-evans-segment-engineering-manager.pdf").unlink()  # gone: not listed any more
    assert run(tmp_path / "b", "-o", out).exit_code == 0
    rows = list(csv.DictReader((out / "manifest.csv").read_text(encoding="utf-8").splitlines()))
    listed = {Path(r["output"]).name: r for r in rows}
    assert (
        sorted(listed)
        == sorted(p.name for p in out.glob("*.pdf"))
        == [
            "ann-lee-segment-engineering-manager.pdf",
            "bo-chen-segment-engineering-manager.pdf",
            "cy-diaz-segment-engineering-manager.pdf",
        ]
    )
    for name, row in listed.items():
        assert row["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert listed["ann-lee-segment-engineering-manager.pdf"]["input"] == str(tmp_path / "a" / "ann.yaml")
    assert listed["bo-chen-segment-engineering-manager.pdf"]["input"] == str(tmp_path / "b" / "bo.yaml")


def test_workers_ignore_ctrl_c_from_their_first_instruction(tmp_path):
    """A worker still starting when Ctrl-C came printed a KeyboardInterrupt traceback of its
    own: it ignored Ctrl-C only once its initializer ran. The fork server now starts with
    Ctrl-C ignored, so every process it forks ignores it from birth (seen here in a plain
    process the same fork server forks, which runs no initializer of ours)."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import multiprocessing, signal\n"
        "from make_brief.run.batch import _pool\n"
        "def report(queue):\n"
        "    queue.put(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)\n"
        "if __name__ == '__main__':\n"
        "    pool = _pool(1)\n"
        "    context = multiprocessing.get_context('forkserver')\n"
        "    queue = context.SimpleQueue()\n"
        "    child = context.Process(target=report, args=(queue,))\n"
        "    child.start(); child.join()\n"
        "    print(queue.get(), signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
        "    pool.shutdown()\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, preexec_fn=with_ctrl_c
    )
    assert done.stdout.split() == ["True", "True"], done.stderr  # the batch's own process still handles it
