# The same steps as the README's "Production" section, in the same order.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app

COPY requirements.txt .
RUN python -m venv .venv \
    && .venv/bin/pip install --no-cache-dir --upgrade pip \
    && .venv/bin/pip install --no-cache-dir -r requirements.txt

COPY . .

# Hashed, compressed static files (fonts included) are built into the image.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    .venv/bin/python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 --home-dir /app newsroom
USER newsroom

EXPOSE 8000
# Run migrations as a release step (`docker run IMAGE .venv/bin/python manage.py migrate`),
# not on every start, so that several containers can start at once.
CMD [".venv/bin/gunicorn", "-c", "newsroom/gunicorn.conf.py", "newsroom.wsgi"]
