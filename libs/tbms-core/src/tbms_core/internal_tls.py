"""Clients of the components inside the compose network verify them against the internal CA (N16 in transit).

deploy/certs/make-internal-certs.sh makes one CA and a certificate per component (NATS, PostgreSQL, MinIO,
Keycloak); each client is given the CA's certificate and checks the server's name against it, so a container that
takes over a component's name in the network is refused. Without a CA file a client trusts the public CAs (a
remote S3 with a public certificate) or talks plain HTTP where `secure` is off (the local stack on loopback).
"""

from __future__ import annotations

import ssl
from datetime import timedelta

import certifi
import urllib3
from minio import Minio


def ssl_context(ca_file: str = "") -> ssl.SSLContext:
    """A client context that verifies the server: against `ca_file` (the internal CA) or the public CAs."""
    return ssl.create_default_context(cafile=ca_file or certifi.where())


def s3_client(endpoint: str, access_key: str, secret_key: str, *, secure: bool, ca_file: str = "") -> Minio:
    """A MinIO/S3 client; over HTTPS it verifies the server against `ca_file` when given (MinIO in compose)."""
    timeout = timedelta(minutes=5).seconds  # minio's own defaults, with the CA in place of certifi's bundle
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=ca_file or certifi.where(),
        retries=urllib3.Retry(total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http)
