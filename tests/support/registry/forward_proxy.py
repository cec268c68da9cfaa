#!/usr/bin/python3
"""A minimal forward HTTP proxy for ext's proxy-variable tests (plain HTTP only).

Listens on 127.0.0.1 (a port it picks, printed as "PORT <n>"), takes requests in absolute form
("GET http://host:port/path HTTP/1.1"), forwards them to that host and relays the answer.
Every request line it served is appended to --log. Stops by itself after --lifetime seconds.

usage: forward_proxy.py --log FILE [--lifetime S]
"""
import argparse
import http.client
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
       'proxy-connection', 'te', 'trailers', 'transfer-encoding', 'upgrade'}
LOG = None
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        with LOCK, open(LOG, 'a') as f:
            f.write('%s %s\n' % (self.command, self.path))
        if url.scheme != 'http' or not url.hostname:
            self.send_error(400, 'not an absolute http:// request')
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
        path = url.path + ('?' + url.query if url.query else '')
        conn.request(self.command, path or '/', body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != 'content-length':
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)
        conn.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--lifetime', type=int, default=600)
    args = ap.parse_args()
    LOG = args.log
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    print('PORT %d' % server.server_address[1], flush=True)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()
    return 0


if __name__ == '__main__':
    sys.exit(main())
