"""The docs' Slurm example (docs/slurm-array.sh) on a real one-node Slurm cluster: a job array of
`--shard auto` tasks renders a CSV into one folder, its first task queues the mail stage, which
mails every brief to a real SMTP server on 127.0.0.1; then one task is requeued (it renders its
shard again) and the mail stage runs again: nothing is sent twice.

The cluster is started by .ci/slurm.sh, which sets MAKE_BRIEF_SLURM=1 (and SLURM_CONF); without
it this test is skipped, saying so."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from smtp_sink import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "slurm-array.sh"
NAMES = ["Ada Quinn", "Ben Ortiz", "Cleo Park", "Dev Rao", "Eve Lund", "Finn Wu"]
TASKS = 3

pytestmark = pytest.mark.skipif(
    os.environ.get("MAKE_BRIEF_SLURM") != "1",
    reason="no Slurm cluster: .ci/slurm.sh starts a one-node cluster and sets MAKE_BRIEF_SLURM=1",
)


def email(name: str) -> str:
    return name.replace(" ", ".").lower() + "@example.com"


def slurm(*args: str, cwd: Path, env: dict[str, str], timeout: float = 150) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    return done.stdout


def state(job: str, cwd: Path, env: dict[str, str]) -> str:
    return slurm("squeue", "-h", "--states=all", "-j", job, "-o", "%T", cwd=cwd, env=env).strip()


def wait_until_done(job: str, cwd: Path, env: dict[str, str], limit: float = 90) -> None:
    """Until `job` has ended (bounded); it must have ended well."""
    end = time.monotonic() + limit
    while (now := state(job, cwd, env)) not in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"):
        assert time.monotonic() < end, f"job {job} still {now or 'unknown'} after {limit} s"
        time.sleep(1)
    logs = "".join(p.read_text() for p in sorted(cwd.glob("briefs-*.log")))
    assert now == "COMPLETED", f"job {job}: {now}\n{logs}"


def manifest_rows(out: Path) -> dict[str, list[str]]:
    """Each shard's manifest: its file name -> the candidates it lists."""
    listed = {}
    for path in sorted(out.glob("manifest-*-of-*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            listed[path.name] = [row["candidate"] for row in csv.DictReader(handle)]
    return listed


@pytest.fixture
def batch(tmp_path) -> Path:
    """The folder sbatch runs from, with the CSV of six candidates (one row each)."""
    lines = ["candidate.name,candidate.email,guide,region,offer.base,offer.stock,offer.bonus_pct"]
    lines += [f"{n},{email(n)},segment-engineering-manager,San Francisco,210000,180000,15" for n in NAMES]
    (tmp_path / "candidates.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_the_slurm_example_renders_in_an_array_then_mails_each_brief_once(batch):
    out = batch / "shared"
    with SmtpServer(auth=True) as server:
        (batch / "mail.yaml").write_text(
            f"smtp-host: 127.0.0.1\nsmtp-port: {server.port}\nsmtp-security: none\n"
            f"smtp-user: coach@example.com\nfrom: Coach <coach@example.com>\n"
            f"journal: {batch / 'journal.sqlite'}\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # make-brief
            "SOURCE_DATE_EPOCH": "1767225600",  # one date for every task, as the example says
            "MAKE_BRIEF_SMTP_PASSWORD": "s3cret pass",  # given to sbatch's environment, never a file
            "SBATCH_MEM_PER_NODE": "500M",  # the example's 2G need not fit a small CI machine
        }
        # the array, as the docs say to submit it, with 3 tasks of 1 CPU (a node of 2 CPUs)
        submitted = slurm(
            "sbatch", "--parsable", "--wait", f"--array=0-{TASKS - 1}", "--cpus-per-task=1",
            str(EXAMPLE), "candidates.csv", str(out), cwd=batch, env=env,
        )  # fmt: skip
        job = submitted.split(";")[0].strip()
        assert all(state(f"{job}_{i}", batch, env) == "COMPLETED" for i in range(TASKS))
        # the first task queued the mail stage, to run once the whole array had ended well
        queued = slurm("squeue", "-h", "--states=all", "--name=briefs-mail", "-o", "%F", cwd=batch, env=env)
        mail_jobs = [j for j in queued.split() if int(j) > int(job)]  # (not an earlier run's)
        assert len(mail_jobs) == 1, queued
        wait_until_done(f"{mail_jobs[0]}_0", batch, env)
        first = sorted(r.rcpt_tos[0] for r in server.sink.received)

        # task 1 is requeued: it renders its shard again, and its manifest anew
        manifest = out / f"manifest-1-of-{TASKS}.csv"
        before = manifest.read_bytes()
        os.utime(manifest, (0, 0))
        slurm("scontrol", "requeue", f"{job}_1", cwd=batch, env=env)
        # Slurm lets a requeued job start again only after two minutes; the admin may say now
        slurm("scontrol", "update", f"JobId={job}_1", "StartTime=now", cwd=batch, env=env)
        wait_until_done(f"{job}_1", batch, env)
        shown = slurm("scontrol", "show", "job", f"{job}_1", cwd=batch, env=env)
        assert "Restarts=1" in shown, shown
        assert manifest.stat().st_mtime > 0 and manifest.read_bytes() == before  # written again, same
        # then the mail stage once more, the example's own way
        again = slurm(
            "sbatch", "--parsable", "--wait", "--array=0", "--cpus-per-task=1",
            "--export=ALL,MAIL_STAGE=1", str(EXAMPLE), "candidates.csv", str(out), cwd=batch, env=env,
        )  # fmt: skip
        received = list(server.sink.received)
        first_log = (batch / f"briefs-{mail_jobs[0]}_0.log").read_text()
        again_log = (batch / f"briefs-{again.split(';')[0].strip()}_0.log").read_text()

    assert first == sorted(email(n) for n in NAMES)  # each candidate once
    assert len(received) == len(NAMES)  # and nothing more after the requeue
    assert server.sink.logins == [(b"coach@example.com", b"s3cret pass")]  # the second never connected
    assert first_log.count("sent: ") == len(NAMES) and "already sent" not in first_log
    assert "sent: " not in again_log  # nothing sent by the second mail stage
    assert again_log.count("already sent, unchanged: ") == len(NAMES)
    for message in received:
        (name, kind, data) = message.attachments[0]
        assert kind == "application/pdf" and data.startswith(b"%PDF-") and name.endswith(".pdf")
    listed = manifest_rows(out)
    assert sorted(listed) == [f"manifest-{i}-of-{TASKS}.csv" for i in range(TASKS)]
    everyone = [name for names in listed.values() for name in names]
    assert sorted(everyone) == sorted(NAMES)  # every candidate in one shard's manifest, once
    on_disk = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    slugs = [f"{name.lower().replace(' ', '-')}-segment-engineering-manager.pdf" for name in NAMES]
    assert sorted(on_disk) == sorted(slugs)
    # each attachment carries its person's name; its bytes are the brief on disk
    attached = {message.attachments[0][0]: message.attachments[0][2] for message in received}
    assert sorted(attached) == sorted(f"{name} – Engineering Manager, Segment.pdf" for name in NAMES)
    assert sorted(attached.values()) == sorted(on_disk.values())
