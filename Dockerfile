FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY borderwatch ./borderwatch
COPY connectors ./connectors
COPY streams ./streams
COPY notifiers ./notifiers
COPY rules ./rules
RUN pip install --no-cache-dir .
USER nobody
