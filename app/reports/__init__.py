"""Reports for the head of the region (Pasal 11-12): pure figures (`period.py`, `figures.py`),
the one module that reads other packages' tables (`read.py`), the use cases (`service.py`) and
the file formats (`export.py`, `charts.py`)."""
