"""The object store's client and buckets, and TLS to the components inside the compose network (N16).

In transit: deploy/certs/make-internal-certs.sh makes one CA and a certificate per component (NATS, PostgreSQL,
MinIO, Keycloak); each client is given the CA's certificate and checks the server's name against it, so a
container that takes over a component's name in the network is refused. Without a CA file a client trusts the
public CAs (a remote S3 with a public certificate) or talks plain HTTP where `secure` is off (the local stack).

At rest: the buckets of documents keep every version and are encrypted by the store (SSE-S3 as the bucket's
default, with the key the deployment gives MinIO), so what lies on MinIO's disks and in its snapshots is unreadable
without that key.
"""

from __future__ import annotations

import ssl
from datetime import timedelta

import certifi
import urllib3
from minio import Minio
from minio.error import S3Error
from minio.sseconfig import Rule, SSEConfig
from minio.versioningconfig import ENABLED, VersioningConfig

_ALREADY_THERE = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}


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


def ensure_bucket(client: Minio, bucket: str, *, encrypted: bool = True) -> None:
    """Creates the bucket when missing (another process making it at the same moment is no error), keeps every
    version, and with `encrypted` has the store encrypt every object written from now on (SSE-S3): a store
    without a key refuses here, loudly, before anything is kept in clear."""
    if not client.bucket_exists(bucket):
        try:
            client.make_bucket(bucket)
        except S3Error as exc:
            if exc.code not in _ALREADY_THERE:
                raise
    if client.get_bucket_versioning(bucket).status != ENABLED:
        client.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    if encrypted and client.get_bucket_encryption(bucket) is None:
        client.set_bucket_encryption(bucket, SSEConfig(Rule.new_sse_s3_rule()))
