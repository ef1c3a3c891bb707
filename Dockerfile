# Build stage: install the app and its dependencies into a virtual environment.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir .

# Run stage: slim, non-root, no build tools. Migrations are a separate step:
#   docker run --rm -e DATABASE_URL=... lapor-desk python -m app migrate
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app lapor
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/migrations ./migrations
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 LAPOR_ENVIRONMENT=production \
    LAPOR_MIGRATIONS_DIR=/app/migrations
USER lapor
EXPOSE 8000
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]
