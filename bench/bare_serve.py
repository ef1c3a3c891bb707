"""How the bare twins (bare_app.py, bare_reads.py) run: as `python -m app serve` does.

The same garbage-collector settings (app/cli.py tune_gc) and the same uvicorn parts (uvloop's
event loop, httptools' parser), so a twin and the service differ only in the request path.
"""

import gc

import uvicorn
from starlette.types import ASGIApp


def serve(app: ASGIApp, port: int) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", loop="uvloop", http="httptools"
    )
