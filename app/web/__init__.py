"""The shared web layer: templates, Indonesian date filters, static files, signed form tokens.

Kernel-like: it knows no domain. Page packages (app/pages for the public, app/console for the
desk) render through `render()` and keep their templates in their own `templates/` folder, named
`<package>/<file>` (e.g. "pages/lacak.html"); the base layout is "web/base.html".
"""
