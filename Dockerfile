# One image, three roles: `serve` (the API, the default), `worker` (timers, e-mail, callbacks,
# hub sync) and `migrate` (run once before a new version's API and workers start):
#   docker run --rm -e DATABASE_URL=... lapor-desk migrate
#   docker run -d  -e DATABASE_URL=... lapor-desk                 # serve on :8000
#   docker run -d  -e DATABASE_URL=... lapor-desk worker
# compose.yaml wires all three with PostgreSQL; README "Production" walks through it.

# An exact tag: a rebuild gets the same Python and Debian release (bump it on purpose).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# Build stage: the locked dependencies, then the app itself without resolving anything again.
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps .

# Run stage: slim, non-root, no build tools.
FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --home /app lapor \
    && mkdir -p /app/var/attachments \
    && chown -R lapor:lapor /app/var
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY migrations ./migrations
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 LAPOR_ENVIRONMENT=production \
    LAPOR_MIGRATIONS_DIR=/app/migrations LAPOR_ATTACHMENTS_DIR=/app/var/attachments
# Uploads (personal data): a volume, so they outlive the container and stay out of the image.
VOLUME ["/app/var"]
USER lapor
EXPOSE 8000
# The API's liveness; a worker container turns it off (compose.yaml: healthcheck disable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["python", "-m", "app"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
