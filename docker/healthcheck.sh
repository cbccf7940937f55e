#!/bin/sh
# Health check of the Listing Lens images: healthy once the service is ready (model and every tenant's pool loaded).
# Exit 0 when /q/health/ready answers 200 on the management port, 1 otherwise (Docker's HEALTHCHECK contract).
port="${QUARKUS_MANAGEMENT_PORT:-9000}"
curl -fsS --max-time "${LENS_HEALTHCHECK_TIMEOUT:-4}" -o /dev/null "http://127.0.0.1:${port}/q/health/ready" || exit 1
