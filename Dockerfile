# Trợ lý Thi đua: the bot and its desk in one image (compose.yaml runs `bot run` and `bot desk` beside PostgreSQL
# and Caddy; README "Docker").
FROM python:3.11-slim-bookworm

# postgresql-client: pg_dump / pg_restore for `python -m bot backup` and `restore` (Debian 12 ships 15, the
# major version of compose.yaml's PostgreSQL; pg_dump must be as new as the server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client tzdata \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data WEBHOOK_LISTEN=0.0.0.0 WEBHOOK_PORT=8443 DESK_LISTEN=0.0.0.0 DESK_PORT=8765

WORKDIR /app
# Dependencies first, so a code change does not reinstall them: install the project's requirements through an
# empty package, drop that package, and run the code from /app (`python -m bot` finds it in the working folder).
COPY pyproject.toml ./
RUN mkdir bot handlers storage && touch bot/__init__.py handlers/__init__.py storage/__init__.py \
    && pip install . && pip uninstall -y tro-ly-thi-dua && rm -rf bot handlers storage build *.egg-info
COPY alembic.ini babel.cfg ./
COPY config config
COPY locales locales
COPY storage storage
COPY handlers handlers
COPY bot bot
RUN python -m compileall -q bot handlers storage

RUN useradd --system --uid 10001 --home-dir /data thidua && mkdir -p /data && chown thidua /data
USER thidua
VOLUME /data
EXPOSE 8443 8765

HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
