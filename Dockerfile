# Production image for pkh-case: one image runs the web app (gunicorn), the Celery worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time and served by WhiteNoise (no CDN, no separate web server).
RUN DEBUG=0 SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --system --home /app pkh && mkdir -p /app/media && chown -R pkh /app/media

USER pkh
EXPOSE 8000
CMD ["gunicorn", "pkh_case.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
