"""Templates that cannot hang a batch (issue 27): what a section, a mail subject and body and
the counter e-mail may render is bounded while rendering (bounds.py), and a brief that takes
longer than the time limit is stopped, with one line, while the rest of the batch is made."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from conftest import ROOT, offer_data

from make_brief.cli import main
from make_brief.compose.bounds import BODY, SECTION, SUBJECT, TooLongError, render_within
from make_brief.compose.sandbox import environment
from make_brief.deliver.mail import Wording
from make_brief.errors import MailError, WorkerError
from make_brief.offers.inputs import Item
from make_brief.run.batch import Batch, Settings
from make_brief.run.pipeline import Brief

HUGE = "{{ 'a' * 100000000 }}"
GENEROUS = 10  # seconds: each refusal here takes well under one; a hang would take minutes
LEVERS = ROOT / "templates" / "default" / "sections" / "levers.j2"


def _template(folder: Path, extra: str) -> Path:
    """A template folder whose levers section ends with `extra`."""
    (folder / "sections").mkdir(parents=True)
    (folder / "sections" / "levers.j2").write_text(LEVERS.read_text("utf-8") + extra, "utf-8")
    return folder


def _line(n: int) -> int:
    return len(LEVERS.read_text("utf-8").splitlines()) + n


# --- a section ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "detail"),
    [
        (HUGE + "\n", ": '*' would make a text of about 100,000,000 characters"),
        ("{{ 'a ' * 3000000 }}\n", ": '*' would make a text of about 6,000,000 characters"),
        (
            "{{ 'a'|center(100000000) }}\n",
            ": the filter 'center' would make a text of about 100,000,000 characters",
        ),
    ],
)
def test_a_section_that_would_render_too_much_is_refused_at_once(runner, in_tmp, write_offer, extra, detail):
    _template(in_tmp / "mine", extra)
    started = time.monotonic()
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", "mine", "-o", "b.pdf"])
    assert time.monotonic() - started < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: mine/sections/levers.j2:{_line(1)}: the section 'levers' renders more than 200,000"
        f" characters (the limit for one section){detail}\n"
    )
    assert not (in_tmp / "b.pdf").exists()


def test_a_section_whose_output_grows_past_the_limit_stops_there(runner, in_tmp, write_offer):
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}ab {% endfor %}{% endfor %}\n"
    _template(in_tmp / "mine", loops)  # 30 billion characters, were it rendered
    started = time.monotonic()
    result = runner.invoke(main, [str(write_offer(offer_data())), "--template", "mine", "-o", "b.pdf"])
    assert time.monotonic() - started < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mine/sections/levers.j2: the section 'levers' renders more than 200,000 characters"
        " (the limit for one section)\n"
    )


# --- the mail subject and body ----------------------------------------------------------------


def test_a_subject_over_998_characters_is_refused(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "subject.j2").write_text(HUGE, "utf-8")
    started = time.monotonic()
    with pytest.raises(MailError) as refused:
        Wording(folder)
    assert time.monotonic() - started < GENEROUS
    assert str(refused.value) == (
        f"{folder / 'subject.j2'}:1: the subject renders more than 998 characters (the limit for a"
        " subject: one line, as RFC 5322 allows): '*' would make a text of about 100,000,000 characters"
    )
    (folder / "subject.j2").write_text("{{ 'word ' * 200 }}", "utf-8")  # 1,000 characters, in one line
    with pytest.raises(MailError, match=r"subject.j2: the subject renders more than 998 characters"):
        Wording(folder)
    (folder / "subject.j2").write_text("{{ 'word ' * 199 }}{{ role }}", "utf-8")  # 995 + 19: one over
    with pytest.raises(MailError, match=r"subject.j2: the subject renders more than 998"):
        Wording(folder)
    (folder / "subject.j2").write_text("{{ 'w' * 998 }}", "utf-8")
    subject, _ = Wording(folder).render(dict(_sample()))
    assert subject == "w" * SUBJECT


def test_a_body_over_the_limit_is_refused_and_no_message_is_written(runner, in_tmp, write_offer):
    folder = in_tmp / "mail"
    folder.mkdir()
    (folder / "body.j2").write_text("Hello {{ candidate.name }},\n" + HUGE + "\n", "utf-8")
    started = time.monotonic()
    with pytest.raises(MailError) as refused:
        Wording(folder)
    assert time.monotonic() - started < GENEROUS
    assert str(refused.value) == (
        f"{folder / 'body.j2'}:2: the body renders more than 100,000 characters (the limit for an"
        " e-mail's text): '*' would make a text of about 100,000,000 characters"
    )
    offer = write_offer(offer_data())
    result = runner.invoke(main, [str(offer), "-o", "b.pdf", "--eml", "out", "--mail-templates", "mail"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"error: {refused.value}".replace(str(in_tmp) + os.sep, "")
    assert not list(in_tmp.glob("out/*.eml"))


def test_a_body_that_writes_without_end_stops_at_the_limit(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "body.j2").write_text("{% for i in range(100000) %}{{ 'x' * 1000 }}\n{% endfor %}", "utf-8")
    with pytest.raises(MailError) as refused:
        Wording(folder)
    assert str(refused.value) == (
        f"{folder / 'body.j2'}: the body renders more than 100,000 characters"
        " (the limit for an e-mail's text)"
    )


def _sample() -> dict:
    from make_brief.deliver.mail import SAMPLE

    return SAMPLE


# --- the counter e-mail -----------------------------------------------------------------------

RECRUITER = {"name": "Sam Lee", "email": "sam@segment.example"}


def test_a_counter_e_mail_over_the_limit_is_refused(runner, in_tmp, write_offer):
    (in_tmp / "mine" / "email").mkdir(parents=True)
    counter = in_tmp / "mine" / "email" / "counter.j2"
    counter.write_text("Subject: A counter\n\nDear {{ recruiter.name }},\n" + HUGE + "\n", "utf-8")
    data = offer_data()
    data["offer"] = {**data["offer"], "recruiter": RECRUITER}
    offer = write_offer(data)
    started = time.monotonic()
    result = runner.invoke(main, [str(offer), "-o", "b.pdf", "--counter", "mail", "--template", "mine"])
    assert time.monotonic() - started < GENEROUS
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mine/email/counter.j2:4: the counter e-mail renders more than 100,000 characters (the"
        " limit for an e-mail's text): '*' would make a text of about 100,000,000 characters\n"
    )
    counter.write_text("Subject: {{ 'x' * 999 }}\n\nDear {{ recruiter.name }},\n", "utf-8")
    result = runner.invoke(main, [str(offer), "-o", "b.pdf", "--counter", "mail", "--template", "mine"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mine/email/counter.j2: the counter e-mail's subject renders more than 998 characters"
        " (the limit for a subject: one line)\n"
    )
    assert not list(in_tmp.glob("mail/*.eml"))


# --- the environment: each way to make a huge text, refused before it is made -----------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ 100000000 * 'a' }}",
        "{{ ['x'] * 100000000 }}",
        "{{ 'a'.center(100000000) }}",
        "{{ 'a'.zfill(100000000) }}",
        "{{ ('\t' * 1000).expandtabs(1000000) }}",
        "{{ range(100000)|join('x' * 90000) }}",
        "{{ ('a' * 90000)|replace('a', 'bb' * 9000) }}",
        "{{ ('a' * 90000).replace('a', 'bb' * 9000) }}",
        "{{ '%100000000s' % 'a' }}",
        "{{ '%*s' % (100000000, 'a') }}",
        "{{ '%100000000s'|format('a') }}",
        "{{ '{:>100000000}'.format('a') }}",
        "{{ '{:>{}}'.format('a', 100000000) }}",
        "{{ 'a\nb'|indent(100000000) }}",
        "{{ ('a ' * 1000)|wordwrap(1, wrapstring='x' * 100000) }}",
        "{{ lipsum(n=100000000) }}",
        "{{ [1]|batch(1000000000, 'x')|list }}",
        "{{ (1).to_bytes(1000000000, 'big')|length }}",
        "{{ range(100000)|list }}",
        "{% set ns = namespace(s='a') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='a') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('a', 60) }}",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% else %}aaaa{% endif %}{% endmacro %}"
        "{{ f(40) }}",
        "{% set x %}{% for i in range(100000) %}{% for j in range(100000) %}ab{% endfor %}{% endfor %}"
        "{% endset %}{{ x|length }}",
    ],
)
@pytest.mark.parametrize("plain_text", [False, True])
def test_every_way_to_a_huge_text_is_refused(tmp_path, source, plain_text):
    env = environment([tmp_path], plain_text=plain_text)
    started = time.monotonic()
    with pytest.raises(TooLongError):
        render_within(env.from_string(source), {}, SECTION)
    assert time.monotonic() - started < GENEROUS


def test_huge_numbers_are_refused_by_the_sandbox(tmp_path):
    from jinja2.sandbox import SecurityError

    env = environment([tmp_path], plain_text=True)
    with pytest.raises(SecurityError, match=r"'\*\*' would make a number of more than 10,000 bits"):
        env.from_string("{{ 10 ** 100000000 }}").render()


def test_ordinary_wording_renders_as_before(tmp_path):
    env = environment([tmp_path], plain_text=True)
    source = (
        "{{ 'ok ' ~ 3 * 4 ~ ('-' * 3) }} {{ '%5.2f' % 3.14159 }} {{ '{:>4}'.format('x') }} "
        "{{ 'a,b'|replace(',', ', ') }} {{ [1, 2, 3]|join(', ') }} {{ 'x'|center(5) }} "
        "{{ 1.5 * 100000 }} {{ 2 ** 10 }} {{ [1, 2]|sum }} {{ 'ab'|indent(2, first=true) }}"
    )
    assert render_within(env.from_string(source), {}, BODY) == (
        "ok 12---  3.14    x a, b 1, 2, 3   x   150000.0 1024 3   ab"
    )
    assert render_within(env.from_string("{{ 'y' * 100000 }}"), {}, BODY) == "y" * BODY


# --- a batch with one bad brief --------------------------------------------------------------


def test_a_batch_with_one_huge_section_makes_the_others(runner, in_tmp, write_offer):
    (in_tmp / "offers").mkdir()
    for name in ("Ann Lee", "Bad Actor", "Bo Chen"):
        write_offer(offer_data(candidate={"name": name}), f"offers/{name.split()[0].lower()}.yaml")
    _template(in_tmp / "mine", "{% if candidate.name == 'Bad Actor' %}" + HUGE + "{% endif %}\n")
    started = time.monotonic()
    result = runner.invoke(main, ["offers", "--template", "mine", "-o", "out", "-j", "2"])
    assert time.monotonic() - started < 120
    assert result.exit_code == 1
    assert sorted(p.name for p in (in_tmp / "out").glob("*.pdf")) == [
        "ann-lee-segment-engineering-manager.pdf",
        "bo-chen-segment-engineering-manager.pdf",
    ]
    assert (
        f"error: offers/bad.yaml: mine/sections/levers.j2:{_line(1)}: the section 'levers' renders more"
        " than 200,000 characters (the limit for one section): '*' would make a text of about"
        " 100,000,000 characters"
    ) in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == "1 of 3 briefs failed; 2 made (listed in out/manifest.csv)"


# --- the time limit of one brief -------------------------------------------------------------


def slow_work(item: Item, settings: Settings) -> Brief:
    """'slow' sleeps past any limit (Python: the alarm stops it); 'stuck' also blocks the alarm's
    signal, as a long call inside C would, so that only the batch can stop it."""
    name = dict(item.cells or ())["candidate.name"]
    if name == "stuck":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    if name in ("slow", "stuck"):
        time.sleep(600)
    return Brief(name=f"{name}.pdf", pdf=f"%PDF-fake {name}".encode(), pages=1, candidate=name)


def _items(*names: str) -> list[Item]:
    return [
        Item(i, f"people.csv:row {i + 2}", Path("people.csv"), (("candidate.name", name),))
        for i, name in enumerate(names)
    ]


def _overtime(row: int, limit: str) -> str:
    return (
        f"people.csv:row {row}: making this brief took longer than {limit} s (the limit for one brief);"
        " it was stopped (a template that loops or writes without end? --time-limit or"
        " MAKE_BRIEF_TIME_LIMIT raises it)"
    )


@pytest.mark.parametrize(
    ("jobs", "names"), [(1, ("ann", "slow", "bo")), (2, ("ann", "slow", "bo", "stuck", "cy"))]
)
def test_a_brief_past_the_time_limit_is_stopped_and_the_rest_are_made(tmp_path, jobs, names):
    if jobs == 1 and not hasattr(signal, "setitimer"):
        pytest.skip("the alarm of a single process is POSIX's")
    batch = Batch(tmp_path, jobs=jobs, work=slow_work, time_limit=0.5)
    started = time.monotonic()
    outcomes = list(batch.run(_items(*names)))
    assert time.monotonic() - started < 60
    assert [o.item.index for o in outcomes] == list(range(len(names)))
    for outcome, name in zip(outcomes, names, strict=True):
        if name in ("slow", "stuck"):
            assert isinstance(outcome.error, WorkerError)
            assert str(outcome.error) == _overtime(outcome.item.index + 2, "0.5")
            assert outcome.path is None
        else:
            assert outcome.error is None
            assert (tmp_path / f"{name}.pdf").read_bytes() == f"%PDF-fake {name}".encode()


def test_the_time_limit_is_an_option_and_an_environment_variable(runner, in_tmp, write_offer, monkeypatch):
    forever = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    _template(in_tmp / "mine", forever)  # writes nothing: only the time limit stops it
    offer = write_offer(offer_data())
    result = runner.invoke(main, [str(offer), "--template", "mine", "-o", "b.pdf", "--time-limit", "1"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {offer}: making this brief took longer than 1 s (the limit for one brief); it was stopped"
        " (a template that loops or writes without end? --time-limit or MAKE_BRIEF_TIME_LIMIT raises it)\n"
    )
    monkeypatch.setenv("MAKE_BRIEF_TIME_LIMIT", "0.5")
    result = runner.invoke(main, [str(offer), "--template", "mine", "-o", "b.pdf"])
    assert result.exit_code == 1
    assert "took longer than 0.5 s (the limit for one brief)" in result.stderr
    assert not (in_tmp / "b.pdf").exists()
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)  # put back as it was
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
