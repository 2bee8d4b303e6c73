# Keel's image: web (gunicorn), worker and beat all run from it (docker-compose.yml).
FROM node:20-slim AS static
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY metrics ./metrics
COPY surveys ./surveys
COPY health ./health
RUN pip install --no-cache-dir -e .
COPY . .
COPY --from=static /build/node_modules/chart.js/dist/chart.umd.min.js ./static/vendor/chart.umd.min.js
# collectstatic needs settings but no database: a placeholder URL and key that are never used to connect.
RUN DATABASE_URL=postgres://build@localhost/build DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 keel && chown -R keel /app
USER keel
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
