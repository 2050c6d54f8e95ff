# The image of the API and of the workers: `docker compose up` runs both from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install -r /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin arkanna \
    && mkdir -p var/outbox var/documents \
    && chown -R arkanna:arkanna var

USER arkanna
ENV OUTBOX_DIR=/app/var/outbox \
    DOCUMENTS_DIR=/app/var/documents \
    API_PORT=8000
EXPOSE 8000

# The API runs `python -m api.serve` (see docker-compose.yml), never uvicorn directly: that
# module passes the proxy, timeout and connection settings to the server.
CMD ["python", "worker.py"]
