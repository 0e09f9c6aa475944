"""make-brief serve's app, through starlette's test client: the token, CSRF, a bad value next
to its field in the command line's words, the upload limit, the form's YAML read back by the
command line unchanged, a batch's zip and manifest (a 50-row CSV: the same bytes as the command
line's), and the private folder removed when the app stops."""

from __future__ import annotations

import hashlib
import io
import re
import stat
import zipfile
from html import unescape
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import make_brief as api
from make_brief.cli import main
from make_brief.web.app import create
from make_brief.web.guard import REFUSED
from make_brief.web.state import ServeSettings

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "offer.yaml"
TOKEN = "test-token-0123456789"
NOT_AN_AMOUNT = """'lots' is not an amount; write e.g. 210000, "210K" or "$210,000\""""


def example_values() -> dict[str, str]:
    """The bundled example as the form's values (without its appendix, a file of its own)."""
    values = api.offer_values(EXAMPLE)
    values.pop("appendices.0")
    return values


@pytest.fixture
def app():
    guard, state = create(ServeSettings(token=TOKEN, jobs=2, max_upload=200_000, max_files=5))
    with TestClient(guard, base_url="http://127.0.0.1") as client:
        client.get(f"/?token={TOKEN}")  # the cookie, as a browser keeps it
        yield client, state
    assert state.folder is None


def alerts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'role="alert"[^>]*>([^<]*)<', html)]


def post_form(client: TestClient, state, values: dict[str, str], action: str = "/brief", csrf: bool = True):
    data = {**values, **({"csrf": state.csrf} if csrf else {}), "template": "default", "page_size": ""}
    return client.post(action, data=data)


def test_a_request_without_the_token_is_refused(app):
    client, _ = app
    with TestClient(client.app, base_url="http://127.0.0.1") as stranger:
        for path in ("/", "/batch", "/static/app.css", "/?token=wrong"):
            answer = stranger.get(path)
            assert answer.status_code == 403, path
            assert REFUSED in answer.text
        assert stranger.post("/brief", data={"candidate.name": "x"}).status_code == 403
        answer = stranger.get(f"/?token={TOKEN}")
        assert answer.status_code == 200
        assert "HttpOnly; SameSite=Strict" in answer.headers["set-cookie"]
        assert stranger.get("/batch").status_code == 200  # the cookie carries it from then on


def test_a_form_without_the_csrf_field_is_refused_and_nothing_is_made(app):
    client, state = app
    answer = post_form(client, state, example_values(), csrf=False)
    assert answer.status_code == 403
    assert alerts(answer.text) == [
        "refused: the form is not from this page (reload the page and send it again)"
    ]
    assert state.briefs == {}


def test_a_bad_value_is_shown_next_to_its_field_in_the_command_lines_words(app, tmp_path):
    client, state = app
    values = {**example_values(), "offer.base": "lots"}
    answer = post_form(client, state, values)
    assert answer.status_code == 400
    shown = re.search(r'<p class="error" id="f-offer-base-error" role="alert">([^<]*)</p>', answer.text)
    assert shown is not None
    assert 'aria-describedby="f-offer-base-help f-offer-base-error"' in answer.text
    assert len(re.findall(r"\bautofocus\b", answer.text)) == 1  # the keyboard lands on it
    assert re.search(r'<input id="f-offer-base"[^>]* autofocus[ >]', answer.text)
    assert state.briefs == {}  # nothing made
    offer = tmp_path / "offer.yaml"
    offer.write_text(api.offer_yaml(values), encoding="utf-8")
    printed = CliRunner().invoke(main, [str(offer), "-o", str(tmp_path / "x.pdf")])
    assert printed.exit_code == 1
    assert printed.output == f"error: {offer}:12: {unescape(shown.group(1))}\n"
    assert unescape(shown.group(1)) == f"offer.base: {NOT_AN_AMOUNT}"


def test_the_brief_is_made_from_the_form_and_shown(app, read_pdf):
    client, state = app
    values = {**example_values(), "offer.base": "$212,345", "candidate.name": "Ana Form"}
    answer = post_form(client, state, values)
    assert answer.status_code == 200, alerts(answer.text)
    inline = re.search(r'<object data="(/brief/\w+\.pdf)" type="application/pdf"', answer.text)
    download = re.search(r'<a id="download" href="([^"]+)"', answer.text)
    assert inline and download
    pdf = client.get(download.group(1))
    assert pdf.headers["content-disposition"] == 'attachment; filename="brief.pdf"'
    assert client.get(inline.group(1)).headers["content-disposition"] == 'inline; filename="brief.pdf"'
    brief = read_pdf(pdf.content)
    assert "Ana Form" in brief.flat
    assert "$212,345" in brief.flat


def test_the_form_starts_as_the_sample_offer_and_makes_its_brief(app, tmp_path, monkeypatch):
    client, state = app
    page = client.get("/?guide=segment-engineering-manager").text
    values = dict(re.findall(r'<input id="f-[^"]+" name="([^"]+)" value="([^"]*)"', page))
    assert values["candidate.name"] == "Jane Doe" and values["offer.base"] == "210000"
    values["region"] = "San Francisco"
    made = post_form(client, state, values)
    page_pdf = client.get(re.search(r'<a id="download" href="([^"]+)"', made.text).group(1)).content
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    cli = CliRunner().invoke(main, ["offer.yaml", "-o", "cli.pdf"])
    assert cli.exit_code == 0, cli.output
    assert (tmp_path / "cli.pdf").read_bytes() == page_pdf


def test_the_form_saved_as_yaml_is_read_back_by_the_command_line_unchanged(app, tmp_path):
    client, state = app
    loaded = client.post(
        "/brief/load",
        data={"csrf": state.csrf},
        files={"offer_file": ("offer.yaml", EXAMPLE.read_bytes(), "application/yaml")},
    )
    assert loaded.status_code == 200
    assert 'name="offer.stock" value="180K"' in loaded.text  # amounts kept as written
    assert 'name="appendices.0" value="offer-letter.pdf"' in loaded.text  # no field of the form: kept
    values = example_values()
    saved = post_form(client, state, values, "/brief/save")
    assert saved.headers["content-disposition"] == 'attachment; filename="offer.yaml"'
    path = tmp_path / "saved.yaml"
    path.write_bytes(saved.content)
    assert {k: v for k, v in api.offer_values(path).items() if v} == {k: v for k, v in values.items() if v}
    resaved = client.post("/brief/save", data={**api.offer_values(path), "csrf": state.csrf})
    assert resaved.content == saved.content  # load, save, load, save: the same text
    made = post_form(client, state, values)
    page_pdf = client.get(re.search(r'<a id="download" href="([^"]+)"', made.text).group(1)).content
    cli = CliRunner().invoke(main, [str(path), "-o", str(tmp_path / "cli.pdf")])
    assert cli.exit_code == 0, cli.output
    assert (tmp_path / "cli.pdf").read_bytes() == page_pdf


def table(rows: int, bad: int | None = None, mail: bool = False) -> bytes:
    lines = ["candidate.name,guide,region,offer.base,offer.stock,offer.bonus_pct"]
    lines[0] += ",candidate.email,offer.recruiter.email" if mail else ""
    for i in range(rows):
        base = "lots" if i == bad else f"{200000 + i * 1000}"
        lines.append(f"Person {i:02d},segment-engineering-manager,San Francisco,{base},180K,15")
        lines[-1] += f",p{i}@example.com,sam@segment.example" if mail else ""
    return ("\n".join(lines) + "\n").encode()


def start_batch(client: TestClient, state, files: list[tuple[str, bytes]], **fields: str):
    answer = client.post(
        "/batch",
        data={"csrf": state.csrf, "template": "default", "page_size": "", "mail": "none", **fields},
        files=[("files", (name, data, "text/csv")) for name, data in files],
        follow_redirects=False,
    )
    assert answer.status_code == 303, alerts(answer.text)
    ident = answer.headers["location"].rsplit("/", 1)[1]
    assert state.jobs[ident].done.wait(300)
    return ident


def test_a_batch_with_a_bad_row_gives_the_zip_and_the_manifest(app, read_pdf):
    client, state = app
    ident = start_batch(client, state, [("candidates.csv", table(3, bad=1))])
    page = client.get(f"/batch/{ident}").text
    assert alerts(page) == []
    failures = re.findall(r"<ul id=\"failures\"><li>([^<]*)</li>", page)
    said = f"error: candidates.csv:row 3 (Person 01): offer.base: {NOT_AN_AMOUNT}"
    assert [unescape(f) for f in failures] == [said]
    assert '<table id="manifest">' in page and "person-02-segment-engineering-manager.pdf" in page
    zipped = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{ident}/briefs.zip").content))
    assert zipped.namelist() == [
        "briefs/manifest.csv",
        "briefs/person-00-segment-engineering-manager.pdf",
        "briefs/person-02-segment-engineering-manager.pdf",
    ]
    manifest = zipped.read("briefs/manifest.csv").decode()
    assert "candidates.csv:row 3" in manifest and "failed" in manifest
    assert "Person 02" in read_pdf(zipped.read("briefs/person-02-segment-engineering-manager.pdf")).flat
    streamed = client.get(f"/batch/{ident}/events").text
    events = [
        msgspec.json.decode(line[6:], type=api.Event)
        for line in streamed.split("\n")
        if line.startswith('data: {"')
    ]
    assert [type(e).__name__ for e in events] == ["BriefMade", "BriefFailed", "BriefMade"]
    assert streamed.endswith("event: done\ndata: {}\n\n")


def test_a_locked_batch_keeps_the_passwords_apart_and_previews_its_mail(app):
    client, state = app
    files = [("candidates.csv", table(2, mail=True))]
    ident = start_batch(client, state, files, lock="on", counter="on", mail="preview")
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{ident}/briefs.zip").content)).namelist()
    assert "briefs/passwords.csv" not in names
    drafts = [n for n in names if not n.startswith("briefs/")]
    assert drafts == [
        "counter/person-00-segment-engineering-manager-counter.eml",
        "counter/person-01-segment-engineering-manager-counter.eml",
        "mail/person-00-segment-engineering-manager.eml",
        "mail/person-01-segment-engineering-manager.eml",
    ]
    passwords = client.get(f"/batch/{ident}/passwords.csv").text
    assert passwords.count("person-0") == 2
    page = client.get(f"/batch/{ident}").text
    for name in drafts:
        assert f'href="/batch/{ident}/{name}"' in page
    draft = client.get(f"/batch/{ident}/{drafts[0]}").text
    assert "To: sam@segment.example" in draft and "Subject:" in draft
    preview = client.get(f"/batch/{ident}/{drafts[2]}").text
    assert "To: Person 00 <p0@example.com>" in preview
    assert "attached: Person 00 – Engineering Manager, Segment.pdf (" in preview


def test_fifty_rows_from_the_page_are_the_command_lines_bytes(app, tmp_path):
    client, state = app
    csv = tmp_path / "candidates.csv"
    csv.write_bytes(table(50))
    cli = CliRunner().invoke(main, [str(csv), "-o", str(tmp_path / "out"), "-j", "2"])
    assert cli.exit_code == 0, cli.output
    ident = start_batch(client, state, [("candidates.csv", csv.read_bytes())])
    zipped = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{ident}/briefs.zip").content))
    pdfs = sorted(n for n in zipped.namelist() if n.endswith(".pdf"))
    assert len(pdfs) == 50
    for name in pdfs:
        ours = hashlib.sha256(zipped.read(name)).hexdigest()
        assert ours == hashlib.sha256((tmp_path / "out" / Path(name).name).read_bytes()).hexdigest(), name


def test_an_upload_over_the_limit_is_refused(app):
    client, state = app
    answer = client.post(
        "/batch",
        data={"csrf": state.csrf},
        files=[("files", ("big.csv", b"x" * 300_000, "text/csv"))],
        follow_redirects=False,
    )
    assert answer.status_code == 413
    assert alerts(answer.text) == [
        "refused: the upload is over the limit of 0.2 MB (make-brief serve --max-upload)"
    ]
    too_many = client.post(
        "/batch",
        data={"csrf": state.csrf},
        files=[("files", (f"t{i}.csv", table(1), "text/csv")) for i in range(6)],
        follow_redirects=False,
    )
    assert too_many.status_code == 400
    assert alerts(too_many.text) == ["Too many files. Maximum number of files is 5."]
    assert state.jobs == {}


def test_an_uploads_name_is_never_a_path(app):
    client, state = app
    ident = start_batch(client, state, [("..\\..\\my offers;.csv", table(1))])
    folder = state.jobs[ident].folder
    assert sorted(p.name for p in (folder / "in").iterdir()) == ["upload-1.csv"]
    ident = start_batch(client, state, [("../../escape.csv", table(1))])
    folder = state.jobs[ident].folder
    assert sorted(p.name for p in (folder / "in").iterdir()) == ["escape.csv"]  # its base name only
    assert not (folder.parent.parent.parent / "escape.csv").exists()


def test_the_private_folder_is_private_and_removed_when_the_app_stops():
    guard, state = create(ServeSettings(token=TOKEN, jobs=1))
    with TestClient(guard, base_url="http://127.0.0.1") as client:
        client.get(f"/?token={TOKEN}")
        folder = state.folder
        assert folder is not None and stat.S_IMODE(folder.stat().st_mode) == 0o700
        start_batch(client, state, [("candidates.csv", table(1))])
        assert any(folder.rglob("*.pdf"))
    assert state.folder is None
    assert not folder.exists()


def test_an_unknown_template_is_refused(app):
    client, state = app
    answer = client.post(
        "/batch",
        data={"csrf": state.csrf, "template": "../../etc"},
        files=[("files", ("candidates.csv", table(1), "text/csv"))],
    )
    assert answer.status_code == 400
    assert alerts(answer.text) == ["refused: no template '../../etc' (choose one of the list)"]


def test_sending_from_the_page_uses_the_command_lines_journal(tmp_path):
    from smtp_sink import SmtpServer

    with SmtpServer() as smtp:
        config = tmp_path / "mail.yaml"
        config.write_text(
            f"smtp-host: 127.0.0.1\nsmtp-port: {smtp.port}\nsmtp-security: none\nfrom: coach@example.org\n",
            encoding="utf-8",
        )
        guard, state = create(ServeSettings(token=TOKEN, jobs=1, mail_config=config))
        with TestClient(guard, base_url="http://127.0.0.1") as client:
            client.get(f"/?token={TOKEN}")
            files = [("candidates.csv", table(2, mail=True))]
            first = start_batch(client, state, files, mail="send")
            sent = [e for e in state.jobs[first].events if isinstance(e, api.MessageSent)]
            assert [(e.status, e.recipient) for e in sent] == [
                ("sent", "p0@example.com"),
                ("sent", "p1@example.com"),
            ]
            assert sorted(r.rcpt_tos[0] for r in smtp.sink.received) == ["p0@example.com", "p1@example.com"]
            table_file = tmp_path / "candidates.csv"
            table_file.write_bytes(table(2, mail=True))
            again = CliRunner().invoke(
                main, [str(table_file), "-o", str(tmp_path / "out"), "--send", "--config", str(config)]
            )
            assert again.exit_code == 0, again.output
            assert len(smtp.sink.received) == 2  # never sent again from the terminal
            assert "already sent" in again.output
            second = start_batch(client, state, files, mail="send")
            resent = [e for e in state.jobs[second].events if isinstance(e, api.MessageSent)]
            assert [e.status for e in resent] == ["already sent", "already sent"]
            assert len(smtp.sink.received) == 2
            page = unescape(client.get(f"/batch/{second}").text)
            for event in resent:  # the line the command prints, in the page
                assert f"<td>message sent</td><td>{state.jobs[second].tidy(event.text)}</td>" in page


def test_every_page_has_its_headings_in_order_and_a_label_for_every_input(app):
    client, state = app
    ident = start_batch(client, state, [("candidates.csv", table(2, bad=0))])
    made = post_form(client, state, example_values())
    bad = post_form(client, state, {**example_values(), "offer.stock": "lots"})
    pages = [client.get("/").text, client.get("/batch").text, client.get(f"/batch/{ident}").text, made.text]
    pages.append(client.get("/batch/no-such-batch").text)
    for page in [*pages, bad.text]:
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        controls = re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
        labels = set(re.findall(r'<label for="([^"]+)"', page))
        assert [c for c in controls if c not in labels] == []
    assert 'aria-describedby="f-offer-stock-help f-offer-stock-error"' in bad.text


def test_a_template_folder_of_the_users_is_among_the_choices(tmp_path, read_pdf):
    folder = tmp_path / "mine"
    assert CliRunner().invoke(main, ["templates", "export", str(folder), "--from", "compact"]).exit_code == 0
    guard, state = create(ServeSettings(token=TOKEN, templates=(folder,)))
    with TestClient(guard, base_url="http://127.0.0.1") as client:
        client.get(f"/?token={TOKEN}")
        assert f'<option value="{folder}">mine (your folder {folder})</option>' in client.get("/").text
        data = {**example_values(), "csrf": state.csrf, "template": str(folder)}
        made = client.post("/brief", data=data)
        assert made.status_code == 200, alerts(made.text)
        pdf = client.get(re.search(r'<a id="download" href="([^"]+)"', made.text).group(1)).content
        assert len(read_pdf(pdf).pages) == 1  # the compact template's one page
