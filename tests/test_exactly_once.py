"""Exactly once, whatever comes in between: a stateful property test (hypothesis.stateful) that
walks sequences of what a coach does to an output folder — render, send, correct an offer,
re-send with --resend-changed, run the mail stage, lose the journal, a run killed or cut off
while sending, two runs at once, releasing a message that did not arrive — against a real SMTP
server on loopback, and after every step checks that

* each (recipient, brief version) was delivered at most once;
* a version other than one the recipient already had went only with --resend-changed;
* every brief with an address that a mailing run made or read is sent, already sent, or on
  one line of its own that says why not (held, in flight, not sent, failed).

MAKE_BRIEF_STATEFUL_EXAMPLES sets how many sequences are walked (a few in the default run).
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import offer_data
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from smtp_sink import SmtpServer

from make_brief.cli import main

PEOPLE = (("Ann Lee", "ann@example.com"), ("Bo Chen", "bo@example.com"), ("Cy Diaz", "cy@example.com"))
BASES = (210000, 216000)  # each offer is one of two versions: corrected, and corrected back
EXAMPLES = int(os.environ.get("MAKE_BRIEF_STATEFUL_EXAMPLES", "5"))
SAID = {"sent", "already sent", "held", "unconfirmed", "in flight", "not sent", "failed"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Folder(RuleBasedStateMachine):
    """One output folder, one sender, one journal, one server: a coach's week in a few steps."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="exactly-once-"))
        self.offers, self.out = self.root / "offers", self.root / "out"
        self.journal = self.root / "journal.sqlite"
        self.offers.mkdir()
        self.version = dict.fromkeys((email for _, email in PEOPLE), 0)
        for name, email in PEOPLE:
            self._write(name, email)
        self.server = SmtpServer().__enter__()
        self.checked = 0  # the server's messages checked so far
        self.had: dict[str, set[str]] = {}  # recipient: the versions (sha256) it received
        self.doubt: dict[str, bool] = {}  # recipient: whether its message in doubt arrived
        self.rendered = False

    def teardown(self) -> None:
        self.server.__exit__()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- what a coach does ------------------------------------------------------------------

    @rule(who=st.integers(0, len(PEOPLE) - 1))
    def correct_an_offer(self, who: int) -> None:
        name, email = PEOPLE[who]
        self.version[email] = 1 - self.version[email]
        self._write(name, email)

    @rule(mail=st.sampled_from(["none", "send", "resend-changed"]))
    def render(self, mail: str) -> None:
        """The batch, without mail options (a re-render), with --send, or with both."""
        extra = [] if mail == "none" else self._mail_options(mail == "resend-changed")
        result = self._cli(self.offers, "-o", self.out, "-j", "1", *extra)
        assert result.exit_code in (0, 1), result.output
        self.rendered = True
        self._check(resend=mail == "resend-changed", reported=result.stderr if extra else None)

    @precondition(lambda self: self.rendered)
    @rule(resend=st.booleans())
    def mail_stage(self, resend: bool) -> None:
        result = self._cli("mail", self.out, *self._mail_options(resend))
        assert result.exit_code in (0, 1), result.output
        self._check(resend=resend, reported=result.stderr)

    @rule()
    def lose_the_journal(self) -> None:
        self.journal.unlink(missing_ok=True)

    @precondition(lambda self: self.rendered)
    @rule(arrived=st.booleans())
    def cut_off_while_sending(self, arrived: bool) -> None:
        """The connection is lost during the next message: stored first, or not."""
        sink = self.server.sink
        if arrived:
            sink.cut_after_storing = len(sink.received) + 1
        else:
            sink.drop_unstored = 1
        try:
            before = len(sink.received)
            result = self._cli("mail", self.out, *self._mail_options(False))
        finally:
            sink.cut_after_storing, sink.drop_unstored = None, 0
        cut = self._doubt(result.stderr, before, arrived)
        self._check(resend=False, reported=result.stderr, uncertain=int(cut and arrived))

    @precondition(lambda self: self.rendered)
    @rule()
    def killed_while_sending(self) -> None:
        """kill -9 of a mail stage whose message the server has stored but not yet answered."""
        sink = self.server.sink
        sink.stall, before = 30.0, len(sink.received)
        run = self._process("mail", self.out, *self._mail_options(False))
        try:
            deadline = time.monotonic() + 60
            while len(sink.received) == before and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            run.send_signal(signal.SIGKILL)
            run.communicate(timeout=60)
            sink.stall = None
        if len(sink.received) > before:
            self.doubt[sink.received[-1].rcpt_tos[0]] = True
        self._check(resend=False, reported=None)

    @precondition(lambda self: self.rendered)
    @rule(resend=st.booleans())
    def two_runs_at_once(self, resend: bool) -> None:
        """Two mail stages on one folder and one journal, against a slow server."""
        self.server.sink.delay = 0.3
        try:
            runs = [self._process("mail", self.out, *self._mail_options(resend)) for _ in range(2)]
            done = [run.communicate(timeout=300) for run in runs]
        finally:
            self.server.sink.delay = 0.0
        for run, (_, err) in zip(runs, done, strict=True):
            assert run.returncode in (0, 1), err.decode()
            assert "Traceback" not in err.decode()
        self._check(resend=resend, reported=None)

    @precondition(lambda self: any(not arrived for arrived in self.doubt.values()))
    @rule()
    def release_what_did_not_arrive(self) -> None:
        """The coach checked with the candidate: that message never came."""
        email = next(e for e, arrived in self.doubt.items() if not arrived)
        result = self._cli("journal", "release", email, "--journal", self.journal, "--folder", self.out)
        assert result.exit_code == 0, result.output
        del self.doubt[email]

    # --- the checks -------------------------------------------------------------------------

    def _check(self, *, resend: bool, reported: str | None, uncertain: int = 0) -> None:
        """`uncertain`: how many of the messages that arrived the run could not know of."""
        received = self.server.sink.received
        new = received[self.checked :]
        self.checked = len(received)
        got = Counter((r.rcpt_tos[0], sha(r.attachments[0][2])) for r in new)
        for (recipient, version), times in got.items():
            had = self.had.setdefault(recipient, set())
            assert times == 1 and version not in had, f"{recipient} got one version twice"
            if had and not resend:
                pytest.fail(f"{recipient} got a changed brief without --resend-changed")
            had.add(version)
        if reported is not None:
            self._reported(reported, sum(got.values()) - uncertain)

    def _reported(self, stderr: str, sent: int) -> None:
        """Each brief with an address: sent, already sent, or one line saying why not."""
        rows = [r for r in self._rows() if r["status"] == "ok" and r["email"]]
        said = Counter(r["mail"] for r in rows)
        assert set(said) <= SAID, said
        assert said["sent"] == sent
        lines = stderr.splitlines()
        assert said["held"] + said["unconfirmed"] == sum(line.startswith("held: ") for line in lines)
        assert said["in flight"] == sum(line.startswith("in flight: ") for line in lines)
        assert said["failed"] == sum(line.startswith("error: ") for line in lines)

    def _doubt(self, stderr: str, before: int, arrived: bool) -> bool:
        """Note whose message is now in doubt, and whether it really arrived; whether one is."""
        for line in stderr.splitlines():
            if line.startswith("held: ") and "the connection was lost after" in line:
                email = next(e for _, e in PEOPLE if f"<{e}>" in line)
                self.doubt[email] = arrived
                assert (len(self.server.sink.received) > before) == arrived
                return True
        return False

    # --- helpers ------------------------------------------------------------------------------

    def _write(self, name: str, email: str) -> None:
        offer = offer_data(candidate={"name": name, "email": email})
        offer["offer"] = {**offer["offer"], "base": BASES[self.version[email]]}
        (self.offers / f"{email.split('@')[0]}.yaml").write_text(yaml.safe_dump(offer), encoding="utf-8")

    def _mail_options(self, resend: bool) -> list[str]:
        options = [*self.server.options, "--send", "--journal", str(self.journal)]
        return [*options, "--from", "coach@example.org", *(["--resend-changed"] if resend else [])]

    def _cli(self, *args: object):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    def _process(self, *args: object) -> subprocess.Popen:
        command = [sys.executable, "-m", "make_brief", *map(str, args)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def _rows(self) -> list[dict[str, str]]:
        with open(self.out / "manifest.csv", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))


def test_each_version_goes_to_each_person_at_most_once_whatever_happens():
    run_state_machine_as_test(
        Folder,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=8,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
