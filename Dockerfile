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
# The scenarios are not inside the installed package: point at the copy above.
ENV LIAISON_HOST=0.0.0.0 \
    LIAISON_DATA_DIR=/data \
    LIAISON_SCENARIOS_DIR=/app/scenarios
EXPOSE 8080
CMD ["liaison", "serve"]
