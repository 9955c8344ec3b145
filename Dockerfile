# One Liaison instance. docker-compose.yml runs two behind nginx, with Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY clients ./clients
COPY loadtest ./loadtest
COPY scenarios ./scenarios
RUN pip install . \
    && useradd --system --home-dir /app liaison \
    && mkdir /data \
    && chown liaison /data

USER liaison
# Run from a folder without the sources: the installed package (scenarios, web assets, Lua) is used.
WORKDIR /data
ENV LIAISON_HOST=0.0.0.0 \
    LIAISON_DATA_DIR=/data
EXPOSE 8080
# Healthy while the instance serves and reaches Redis (/healthz answers 503 otherwise).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LIAISON_PORT', '8080'), timeout=2)"]
CMD ["liaison", "serve"]
