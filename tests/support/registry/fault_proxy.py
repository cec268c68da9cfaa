#!/usr/bin/python3
"""Fault-injecting HTTP proxy for ext's registry tests.

Listens on 127.0.0.1 (a port it picks, printed as "PORT <n>"), forwards every request to
--upstream (host:port, plain HTTP) and injects faults into matching requests according to a plan
set at runtime; stops by itself after --lifetime seconds.

  POST /__faults  {"match": "<regex on 'METHOD path'>", "faults": ["reset", "500", ...]}
                  replaces the plan: the next matching requests get the faults in order, one
                  each; later requests pass through untouched.
  GET  /__faults  {"pending": [...], "log": [{"request": "GET /v2/...", "fault": "500"}, ...],
                   "max_in_flight": <most proxied requests in progress at once since the plan>}

Faults:
  reset      close the connection (RST) without answering, after reading the request
  404        answer 404 with an UNSUPPORTED error body (an endpoint not served)
  405        answer 405 with an UNSUPPORTED error body (deletes disabled)
  500        answer 500 with a JSON error body
  503        answer 503
  429        answer 429 with Retry-After: 1
  truncate   forward, then send half the response body and close (Content-Length kept)
  stall      wait --stall seconds before forwarding (longer than the client's stall timeout)
  baddigest  forward, replacing Docker-Content-Digest with another digest
  corrupt    forward, flipping one byte of the body (length kept)
  oversize   answer 200 with a 64 MiB body of spaces (bounded-read check)
  badjson    answer 200 with a malformed manifest (Content-Type OCI manifest)
  lie        answer 200 with Content-Length larger than the body, then close
  errorbody  answer 400 with a garbage, non-JSON body
  slow       wait 0.4 s before forwarding (shorter than the client's stall timeout)
  stallbody  forward, send half the body, then stall --stall seconds and close (a mid-body stall)
  headzero   for a HEAD: forward, but announce Content-Length: 0 (as some proxies do)
  singlepost for "POST .../blobs/uploads/?digest=D" with a body: act as a registry that supports
             the single-POST upload (distribution-spec "Single POST") — open a session upstream, PUT the body
             there with the digest, and answer with upstream's answer (201, Location,
             Docker-Content-Digest)
"""
import argparse
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers',
       'transfer-encoding', 'upgrade'}
STATE = {'match': None, 'faults': [], 'log': [], 'in_flight': 0, 'max_in_flight': 0}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':  # a HEAD response has no body (RFC 9110 §9.3.2)
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get('Content-Length', '0') or '0')
        chunks = []
        while n > 0:
            c = self.rfile.read(min(n, 1 << 20))
            if not c:
                break
            chunks.append(c)
            n -= len(c)
        return b''.join(chunks)

    def take_fault(self):
        key = '%s %s' % (self.command, self.path)
        with LOCK:
            fault = None
            if STATE['faults'] and STATE['match'] is not None and STATE['match'].search(key):
                fault = STATE['faults'].pop(0)
            STATE['log'].append({'request': key, 'fault': fault})
        return fault

    def reset(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack('ii', 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def handle_any(self):
        if self.path.startswith('/__faults'):
            if self.command == 'POST':
                plan = json.loads(self.read_body() or b'{}')
                with LOCK:
                    STATE['match'] = re.compile(plan.get('match', '.'))
                    STATE['faults'] = list(plan.get('faults', []))
                    STATE['log'] = []
                    STATE['max_in_flight'] = STATE['in_flight']
                return self.send_json(200, {'ok': True})
            with LOCK:
                return self.send_json(200, {'pending': STATE['faults'], 'log': STATE['log'],
                                            'max_in_flight': STATE['max_in_flight']})
        with LOCK:
            STATE['in_flight'] += 1
            STATE['max_in_flight'] = max(STATE['max_in_flight'], STATE['in_flight'])
        try:
            self.proxy()
        finally:
            with LOCK:
                STATE['in_flight'] -= 1

    def single_post(self, body):
        path, _, query = self.path.partition('?')
        digest = urllib.parse.parse_qs(query).get('digest', [''])[0]
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP and k.lower() != 'content-length'}
        up = http.client.HTTPConnection(self.server.upstream, timeout=120)
        try:
            up.request('POST', path, headers=headers)
            r = up.getresponse()
            r.read()
            loc = r.getheader('Location', '')
            if r.status != 202 or not loc or not digest:
                return self.send_json(500, {'errors': [{'code': 'UNKNOWN',
                                                        'message': 'single POST emulation'}]})
            u = urllib.parse.urlsplit(loc)
            target = u.path + '?' + (u.query + '&' if u.query else '') + \
                urllib.parse.urlencode({'digest': digest})
            headers['Content-Type'] = 'application/octet-stream'
            up.request('PUT', target, body=body, headers=headers)
            resp = up.getresponse()
            data = resp.read()
        except OSError:
            return self.reset()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != 'content-length':
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def proxy(self):
        body = self.read_body()
        fault = self.take_fault()
        if fault == 'reset':
            return self.reset()
        if fault in ('500', '503'):
            return self.send_json(int(fault), {'errors': [{'code': 'UNKNOWN',
                                                           'message': 'injected failure'}]})
        if fault in ('404', '405'):  # an endpoint or method the registry does not serve
            return self.send_json(int(fault), {'errors': [{'code': 'UNSUPPORTED',
                                                           'message': 'not served here'}]})
        if fault == '429':
            return self.send_json(429, {'errors': [{'code': 'TOOMANYREQUESTS',
                                                    'message': 'slow down'}]},
                                  {'Retry-After': '1'})
        if fault == 'oversize':
            size = 64 << 20
            self.send_response(200)
            self.send_header('Content-Type', 'application/vnd.oci.image.manifest.v1+json')
            self.send_header('Content-Length', str(size))
            self.end_headers()
            chunk = b' ' * (1 << 20)
            try:
                for _ in range(size >> 20):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        if fault == 'badjson':
            b = b'{"schemaVersion": 2, "layers": [ {"mediaType": '
            self.send_response(200)
            self.send_header('Content-Type', 'application/vnd.oci.image.manifest.v1+json')
            self.send_header('Content-Length', str(len(b)))
            self.end_headers()
            self.wfile.write(b)
            return
        if fault == 'errorbody':
            b = b'<html>\x00\xff not json {{{'
            self.send_response(400)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(len(b)))
            self.end_headers()
            self.wfile.write(b)
            return
        if fault == 'singlepost' and self.command == 'POST' and body:
            return self.single_post(body)
        if fault == 'stall':
            time.sleep(self.server.stall)
        if fault == 'slow':
            time.sleep(0.4)
        up = http.client.HTTPConnection(self.server.upstream, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        try:
            up.request(self.command, self.path, body=body if body or self.command in
                       ('POST', 'PUT', 'PATCH') else None, headers=headers)
            resp = up.getresponse()
        except OSError:
            return self.reset()
        data = resp.read() if self.command != 'HEAD' else b''
        out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
        if fault == 'baddigest':
            out_headers = [(k, 'sha256:' + 'ab' * 32 if k.lower() == 'docker-content-digest'
                            else v) for k, v in out_headers]
            if not any(k.lower() == 'docker-content-digest' for k, _ in out_headers):
                out_headers.append(('Docker-Content-Digest', 'sha256:' + 'ab' * 32))
        if fault == 'corrupt' and data:
            data = bytes([data[0] ^ 0x20]) + data[1:]
        self.send_response(resp.status)
        for k, v in out_headers:
            if k.lower() == 'content-length':
                continue
            self.send_header(k, v)
        if fault == 'lie':
            self.send_header('Content-Length', str(len(data) + 1000))
        elif self.command == 'HEAD':
            self.send_header('Content-Length', '0' if fault == 'headzero' else
                             resp.getheader('Content-Length', '0'))
        else:
            self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if fault == 'stallbody':
            try:
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                time.sleep(self.server.stall)
            except OSError:
                pass
            return self.reset()
        if fault in ('truncate', 'lie'):
            self.wfile.write(data[:len(data) // 2] if fault == 'truncate' else data)
            self.wfile.flush()
            return self.reset()
        if data:
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--upstream', required=True)
    ap.add_argument('--stall', type=float, default=5.0)
    ap.add_argument('--lifetime', type=int, default=1800)
    cfg = ap.parse_args()
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.upstream = cfg.upstream
    server.stall = cfg.stall
    t = threading.Timer(cfg.lifetime, server.shutdown)
    t.daemon = True
    t.start()
    print('PORT %d' % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
