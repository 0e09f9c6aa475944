"""Shards: --shard I/N makes only its share, split by a stable hash of each item's identity;
--shard auto reads the job engine's variables; each shard writes manifest-<I>-of-<N>.csv, and
`make-brief mail` mails what they all record, once each. Real briefs, a real SMTP server."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import offer_data
from smtp_sink import SmtpServer

from make_brief.cli import main
from make_brief.errors import SettingError
from make_brief.run.shard import parse

NAMES = [f"Person {chr(65 + i)}{chr(97 + j)}" for i in range(4) for j in range(3)]  # 12 people


def run(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def email(name: str) -> str:
    return name.replace(" ", ".").lower() + "@example.com"


@pytest.fixture
def offers(tmp_path, write_offer) -> Path:
    (tmp_path / "offers").mkdir()
    for name in NAMES:
        data = offer_data(candidate={"name": name, "email": email(name)})
        write_offer(data, f"offers/{name.split()[1].lower()}.yaml")
    return tmp_path / "offers"


def made(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.pdf")}


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_n_shards_make_everything_once_and_the_same_split_every_time(tmp_path, offers):
    shares = []
    for index in range(3):
        out = tmp_path / f"shard-{index}"
        result = run(offers, "-o", out, "--shard", f"{index}/3", "--template", "compact", "-j", "1")
        assert result.exit_code == 0, result.output
        shares.append(made(out))
        assert [p.name for p in out.glob("manifest*.csv")] == [f"manifest-{index}-of-3.csv"]
        listed = {Path(r["output"]).name for r in rows(out / f"manifest-{index}-of-3.csv")}
        assert listed == shares[-1]
    everything = set().union(*shares)
    assert len(everything) == len(NAMES) == sum(len(s) for s in shares)  # all of them, no overlap
    assert all(shares)  # twelve items over three shards: none empty
    # again, with the files given one by one in another order: the same split
    files = sorted(offers.glob("*.yaml"))
    random.Random(7).shuffle(files)
    for index in range(3):
        out = tmp_path / f"again-{index}"
        assert run(*files, "-o", out, "--shard", f"{index}/3", "--template", "compact").exit_code == 0
        assert made(out) == shares[index]


def test_csv_rows_are_split_by_row_and_name(tmp_path):
    table = tmp_path / "people.csv"
    lines = ["candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct"]
    lines += [f"{n},segment-engineering-manager,San Francisco,210000,180000,15" for n in NAMES]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = []
    for index in range(2):
        result = run(table, "-o", tmp_path / "out", "--shard", f"{index}/2", "--template", "compact")
        assert result.exit_code == 0, result.output
        got.append({r["candidate"] for r in rows(tmp_path / "out" / f"manifest-{index}-of-2.csv")})
    assert got[0] | got[1] == set(NAMES) and not got[0] & got[1]


def test_a_shard_run_twice_writes_the_same_briefs_safely(tmp_path, offers):
    out = tmp_path / "out"
    assert run(offers, "-o", out, "--shard", "1/3").exit_code == 0
    first = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert run(offers, "-o", out, "--shard", "1/3").exit_code == 0  # Kubernetes may run an index twice
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == first
    assert len(rows(out / "manifest-1-of-3.csv")) == len(first)
    assert not list(out.glob(".*.part"))


@pytest.mark.parametrize(
    ("env", "given", "expected"),
    [
        ({"JOB_COMPLETION_INDEX": "2", "MAKE_BRIEF_SHARDS": "5"}, "auto", (2, 5)),
        ({"JOB_COMPLETION_INDEX": "2"}, "auto/4", (2, 4)),
        (
            {"SLURM_ARRAY_TASK_ID": "13", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "6"},
            "auto",
            (3, 6),
        ),
        (
            {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "2"},
            "auto/2",
            (0, 2),
        ),
        ({"AWS_BATCH_JOB_ARRAY_INDEX": "7", "MAKE_BRIEF_SHARDS": "8"}, "auto", (7, 8)),
        ({"AWS_BATCH_JOB_ARRAY_INDEX": "0"}, "AUTO/3", (0, 3)),
        ({"CLOUD_RUN_TASK_INDEX": "1", "CLOUD_RUN_TASK_COUNT": "3"}, "auto", (1, 3)),
        ({}, "0/1", (0, 1)),
        ({}, " 3/10 ", (3, 10)),
    ],
)
def test_each_engines_variables_give_the_shard(env, given, expected):
    assert parse(given, env) == expected


@pytest.mark.parametrize(
    ("env", "given", "said"),
    [
        (
            {},
            "auto",
            "--shard auto: no job engine's index is set ($JOB_COMPLETION_INDEX, $SLURM_ARRAY_TASK_ID,",
        ),
        (
            {"JOB_COMPLETION_INDEX": "1"},
            "auto",
            "$JOB_COMPLETION_INDEX gives the index but nothing gives the count",
        ),
        (
            {"JOB_COMPLETION_INDEX": "4", "MAKE_BRIEF_SHARDS": "4"},
            "auto",
            "the index 4 from $JOB_COMPLETION_INDEX is out of range for 4 shards",
        ),
        (
            {"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"},
            "auto",
            "$SLURM_ARRAY_TASK_ID is 'x', not a whole number",
        ),
        (
            {"CLOUD_RUN_TASK_INDEX": "0", "CLOUD_RUN_TASK_COUNT": "3"},
            "auto/4",
            "$CLOUD_RUN_TASK_COUNT says 3 shards, not 4",
        ),
        ({}, "3/3", "--shard 3/3: the index 3 is out of range for 3 shards (0 to 2)"),
        ({}, "1", "--shard 1: write I/N (shard I of N, from 0), auto or auto/N"),
        ({}, "0/0", "--shard 0/0: the count must be 1 to 100,000"),
        ({}, "-1/2", "--shard -1/2: the index is '-1', not a whole number"),
    ],
)
def test_a_missing_or_wrong_index_is_one_clear_line(env, given, said):
    with pytest.raises(SettingError) as caught:
        parse(given, env)
    assert said in str(caught.value)


def test_shard_auto_on_the_command_line_and_its_error(tmp_path, offers):
    out = tmp_path / "out"
    result = run(
        offers, "-o", out, "--shard", "auto", env={"JOB_COMPLETION_INDEX": "1", "MAKE_BRIEF_SHARDS": "3"}
    )
    assert result.exit_code == 0, result.output
    assert (out / "manifest-1-of-3.csv").is_file()
    assert made(out) and len(made(out)) < len(NAMES)
    wrong = run(offers, "-o", tmp_path / "none", "--shard", "auto")
    assert wrong.exit_code == 1
    assert (
        wrong.stderr.startswith("error: --shard auto: no job engine's index is set")
        and len(wrong.stderr.splitlines()) == 1
    )
    assert not (tmp_path / "none").exists()


def test_the_mail_stage_mails_what_every_shard_made_once(tmp_path, offers):
    out = tmp_path / "shared"
    for index in range(3):
        assert run(offers, "-o", out, "--shard", f"{index}/3", "--template", "compact").exit_code == 0
    assert run(offers, "-o", out, "--shard", "1/3", "--template", "compact").exit_code == 0  # ran twice
    with SmtpServer() as server:
        options = ["--from", "coach@example.org", *server.options]
        result = run("mail", out, "--send", *options)
        again = run("mail", out, "--send", *options)
        received = sorted(r.rcpt_tos[0] for r in server.sink.received)
    assert result.exit_code == 0, result.output
    assert received == sorted(email(n) for n in NAMES)  # each exactly once
    assert again.exit_code == 0 and "sent:" not in again.stdout


def test_the_job_engine_examples_render_with_shard_auto_then_mail_once():
    import yaml

    docs = Path(__file__).resolve().parent.parent / "docs"
    jobs = [
        d
        for d in yaml.safe_load_all((docs / "kubernetes-indexed-job.yaml").read_text())
        if d["kind"] == "Job"
    ]
    render, mail = (job["spec"] for job in jobs)
    assert render["completionMode"] == "Indexed"
    command = render["template"]["spec"]["containers"][0]["command"]
    assert command[command.index("--shard") + 1] == "auto"
    env = {e["name"]: e.get("value") for e in render["template"]["spec"]["containers"][0]["env"]}
    assert env["MAKE_BRIEF_SHARDS"] == str(render["completions"])  # the count --shard auto reads
    assert mail["completions"] == 1 and mail["template"]["spec"]["containers"][0]["command"][:2] == [
        "make-brief",
        "mail",
    ]
    slurm = (docs / "slurm-array.sh").read_text()
    assert "--shard auto" in slurm and "make-brief mail" in slurm and "#SBATCH --array=0-7" in slurm
