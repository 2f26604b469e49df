# Sociale Kaart: production image. Build: docker build -t sociale-kaart .
# Migrations are a separate, explicit step (see README):
#   docker run --rm --env-file .env sociale-kaart \
#       sh -c 'python manage.py migrate && python manage.py createcachetable'
# Set CACHE_URL=redis://... to share the cache between app servers; without it the workers
# share a table in the database (createcachetable above).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# OpenTaal's Dutch word list: which search words the phone desk may count by name.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends hunspell-nl \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected and compressed at build time; the key is only for this step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && SECRET_KEY=build-only python manage.py compile_translations \
    && useradd --system --uid 10001 --home-dir /app sociale-kaart \
    && chown -R sociale-kaart /app

USER sociale-kaart
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

# Two sync workers per core is gunicorn's advice; the access log leaves out query strings
# (%(U)s is the path only), so search terms never reach the logs.
CMD ["gunicorn", "sociale_kaart.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "--access-logformat", "%(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms"]
