# Production image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=mash.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core npm curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
# The project's packages, from the kernel up (docs/architecture.md), before the install that needs them.
COPY mash mash
COPY security security
COPY agencies agencies
COPY referrals referrals
COPY triage triage
COPY notifications notifications
COPY reports reports
COPY web web
RUN pip install --no-cache-dir .
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# GOV.UK Frontend's CSS from its Sass, without the GOV.UK-only font (docs/front-end.md).
RUN npm run --silent build:css
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 mash && mkdir -p /app/var && chown -R mash /app/var
USER mash
EXPOSE 8000
CMD ["gunicorn", "mash.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
