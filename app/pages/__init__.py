"""The public's pages: following a complaint (/lacak) and filing one on the web (/lapor).

Server-rendered through app/web, usable without JavaScript; every rule (what the public may see,
how a complaint is taken in) is the API's own service, called here, never re-implemented.
"""
