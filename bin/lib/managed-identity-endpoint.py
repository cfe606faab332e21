#!/usr/bin/env python3
"""A stand-in for Azure App Service's managed-identity token endpoint, for the Entra ID tests.

DefaultAzureCredential finds it through IDENTITY_ENDPOINT and IDENTITY_HEADER (the App Service managed-identity
source), asks GET ?api-version=2019-08-01&resource=...[&client_id=...] with the X-IDENTITY-HEADER secret, and
gets {"access_token", "expires_on", "resource", "token_type"} back, as from the real endpoint.

The token is a JWT Azurite's `--oauth basic` accepts: an Entra issuer, the requested resource as audience, a
lifetime. Azurite does not check signatures, so it is unsigned. Two user-assigned identities are there for the
failure tests: "wrong-audience" gets a token for another storage account's audience, which Azurite refuses, and
"no-such-identity" gets App Service's answer for an identity not assigned to the app (400).

Usage: managed-identity-endpoint.py PORT SECRET
"""
import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TENANT = "72f988bf-0000-0000-0000-00000000c0de"
WRONG_AUDIENCE_CLIENT_ID = "wrong-audience"
UNKNOWN_CLIENT_ID = "no-such-identity"


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token(audience, client_id):
    now = int(time.time())
    claims = {"aud": audience, "iss": "https://sts.windows.net/%s/" % TENANT, "iat": now - 60, "nbf": now - 60,
              "exp": now + 3600, "appid": client_id or "prism-system-assigned", "tid": TENANT}
    return b64({"typ": "JWT", "alg": "RS256"}) + "." + b64(claims) + ".unsigned", now + 3600


class Handler(BaseHTTPRequestHandler):
    secret = ""

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        resource = query.get("resource", [""])[0]
        client_id = query.get("client_id", [""])[0]
        if self.headers.get("X-IDENTITY-HEADER") != self.secret:
            return self.reply(401, {"error": "unauthorized", "error_description": "wrong X-IDENTITY-HEADER"})
        if query.get("api-version", [""])[0] != "2019-08-01" or not resource:
            return self.reply(400, {"error": "invalid_request", "error_description": "api-version and resource"})
        if client_id == UNKNOWN_CLIENT_ID:
            return self.reply(400, {"statusCode": 400, "message": "Unable to load the proper Managed Identity."})
        audience = "https://otheraccount.blob.core.windows.net" if client_id == WRONG_AUDIENCE_CLIENT_ID else resource
        access_token, expires_on = token(audience, client_id)
        self.reply(200, {"access_token": access_token, "expires_on": str(expires_on), "resource": resource,
                         "token_type": "Bearer", "client_id": client_id or "prism-system-assigned"})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("managed-identity-endpoint: " + (fmt % args) + "\n")


if __name__ == "__main__":
    Handler.secret = sys.argv[2]
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
