"""The local web app of ``make-brief serve``: a front end beside cli/, on the public API only.

`app.py` (the routes: Starlette), `guard.py` (the token on every request, the upload limit,
CSRF), `state.py` (settings, secrets, the private folder), `forms.py` (a posted form, checked),
`single.py` (one brief from the form), `many.py` (a batch from uploads, its progress streamed),
`pages.py` (the Jinja2 pages in templates/; assets in static/), `server.py` (uvicorn, the
address printed and opened).
"""
