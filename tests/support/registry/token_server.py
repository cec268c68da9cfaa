#!/usr/bin/python3
"""Token server for ext's registry tests (distribution "token" auth; distribution docs/spec/auth/token.md).

Signs scoped JWTs (RS256, x5c header with the signing certificate) that Debian's docker-registry
validates against `rootcertbundle`. Serves on 127.0.0.1 on a port it picks and prints
"PORT <n>" on stdout once listening. Stops by itself after --lifetime seconds.

  GET  /token?service=..&scope=..&scope=..   (Authorization: Basic optional; anonymous allowed)
  POST /token  grant_type=password|refresh_token (OAuth2 form; access_type=offline => refresh)
  GET  /log    JSON list of the requests seen (method, grant, user, scopes), no secrets

Policy: users from --users (user:password,...) get every action they ask for; anonymous
clients get "pull" on repositories under "public/" only; a wrong password is a 401.
"""
import argparse
import base64
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

LOG = []
REFRESH = {}
LOCK = threading.Lock()


def parse_scope(s):
    # resourcetype:name:actions, name may contain one ':' (port): split first and last ':'.
    first = s.find(':')
    last = s.rfind(':')
    if first < 0 or last <= first:
        return None
    return s[:first], s[first + 1:last], [a for a in s[last + 1:].split(',') if a]


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def basic_user(self):
        h = self.headers.get('Authorization', '')
        if not h.lower().startswith('basic '):
            return None, None
        try:
            raw = base64.b64decode(h[6:].strip()).decode()
            user, _, pw = raw.partition(':')
            return user, pw
        except Exception:
            return '', ''

    def issue(self, user, service, scopes, grant, offline):
        cfg = self.server.cfg
        access = []
        for s in scopes:
            p = parse_scope(s)
            if not p:
                continue
            typ, name, actions = p
            if user is None:
                granted = [a for a in actions if a == 'pull'] if name.startswith('public/') else []
            else:
                granted = actions
            access.append({'type': typ, 'name': name, 'actions': granted})
        now = int(time.time())
        claims = {'iss': cfg.issuer, 'sub': user or '', 'aud': service, 'exp': now + cfg.expires,
                  'nbf': now - 10, 'iat': now, 'jti': secrets.token_hex(8), 'access': access}
        token = jwt.encode(claims, self.server.key, algorithm='RS256',
                           headers={'x5c': [self.server.cert_b64]})
        out = {'token': token, 'access_token': token, 'expires_in': cfg.expires,
               'issued_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now))}
        if offline and user is not None:
            rt = 'rt-' + secrets.token_hex(16)
            with LOCK:
                REFRESH[rt] = user
            out['refresh_token'] = rt
        with LOCK:
            LOG.append({'method': self.command, 'grant': grant, 'user': user, 'scopes': scopes,
                        'service': service})
        self.reply(200, out)

    def check_password(self, user, pw):
        return self.server.users.get(user) == pw

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == '/log':
            with LOCK:
                return self.reply(200, LOG)
        if url.path != '/token':
            return self.reply(404, {'error': 'not found'})
        q = urllib.parse.parse_qs(url.query)
        user, pw = self.basic_user()
        if user is not None:
            if not self.check_password(user, pw):
                with LOCK:
                    LOG.append({'method': 'GET', 'grant': 'basic', 'user': user, 'rejected': True})
                return self.reply(401, {'errors': [{'code': 'UNAUTHORIZED',
                                                    'message': 'invalid credentials'}]})
        self.issue(user, q.get('service', [''])[0], q.get('scope', []), 'get',
                   q.get('offline_token', [''])[0] == 'true')

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != '/token':
            return self.reply(404, {'error': 'not found'})
        if self.server.cfg.no_oauth:
            n = int(self.headers.get('Content-Length', '0'))
            self.rfile.read(n)
            return self.reply(404, {'error': 'oauth2 not supported'})
        n = int(self.headers.get('Content-Length', '0'))
        if n > 65536:
            return self.reply(413, {'error': 'too large'})
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        grant = form.get('grant_type', [''])[0]
        service = form.get('service', [''])[0]
        scopes = ' '.join(form.get('scope', [])).split()
        if grant == 'password':
            user = form.get('username', [''])[0]
            if not self.check_password(user, form.get('password', [''])[0]):
                return self.reply(401, {'error': 'invalid_grant'})
            return self.issue(user, service, scopes, 'password',
                              form.get('access_type', [''])[0] == 'offline')
        if grant == 'refresh_token':
            with LOCK:
                user = REFRESH.get(form.get('refresh_token', [''])[0])
            if user is None:
                return self.reply(401, {'error': 'invalid_grant'})
            return self.issue(user, service, scopes, 'refresh_token', False)
        return self.reply(400, {'error': 'unsupported_grant_type'})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--key', required=True)
    ap.add_argument('--cert', required=True)
    ap.add_argument('--issuer', default='ext-test-issuer')
    ap.add_argument('--users', default='alice:wonderland')
    ap.add_argument('--expires', type=int, default=300)
    ap.add_argument('--lifetime', type=int, default=1800)
    ap.add_argument('--no-oauth', action='store_true', help='answer 404 to POST (GET only)')
    ap.add_argument('--refresh', action='append', default=[],
                    help='a pre-issued refresh token: TOKEN=USER')
    cfg = ap.parse_args()
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.cfg = cfg
    server.users = dict(u.split(':', 1) for u in cfg.users.split(',') if u)
    for r in cfg.refresh:
        tok, _, user = r.partition('=')
        REFRESH[tok] = user
    with open(cfg.key, 'rb') as f:
        server.key = serialization.load_pem_private_key(f.read(), password=None)
    with open(cfg.cert, 'rb') as f:
        cert = x509.load_pem_x509_certificate(f.read())
    server.cert_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    threading.Timer(cfg.lifetime, server.shutdown).start()
    print('PORT %d' % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
