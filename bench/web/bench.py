#!/usr/bin/env python3
"""The web app's benchmark (run by bench/web.sh, `make bench-web`).

  python3 bench/web/bench.py --bin CLASSIFY --small DIR --big DIR [--rate 200] [--duration 60]
      [--workers N] [--results FILE]

One `classify serve` (WORKERS=N, loopback only, a fresh DATA_DIR in a temporary folder) is
started and stopped by this script; every wait has a deadline.

(a) the --small photos (10,000 small JPEGs) are added with `classify import`, the server
    starts, they are analysed through the queue (POST blur/analyze-batch {}, polled until
    done), then `GET /api/v1/photos?filter=blurred` is sent at --rate requests/s for
    --duration s by wrk (bench/web/paced.lua paces it and adds the bearer token): p50/p90/
    p99 latency, requests/s achieved, errors (non-2xx + socket errors).
(b) the --big photos (500 12 MP JPEGs) are uploaded (POST photos/upload?analyze=true, 10
    files per request over 2 connections, each file sent with sendfile(2); each request's
    photos are queued at once), polled until every job is done: wall time from the first
    upload byte to the last job done, against `classify scan --jobs N --format json` on the
    same files. The two alternate --reps times (5; the photos and their files are deleted in
    between); the ratio is of the medians. Before them, --warmup pairs (1) run the same way
    and are printed but left out of the medians: the first files a fresh machine writes go
    into memory it has never touched, which costs the upload alone (scan only reads files
    already cached) and which a server that has been running does not pay again.
(c) VmRSS of the server from /proc/PID/status right after start, after each load once it
    has settled, and its peak (VmHWM).

Prints a summary block (also written to --results).
"""

import argparse
import hashlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(text):
    print(f"== {text}", file=sys.stderr, flush=True)


class Steal:
    """Share of CPU time the hypervisor gave to others (/proc/stat "steal") over a phase: a
    noisy neighbour slows every figure down."""

    def __init__(self):
        self.start = self.read()

    @staticmethod
    def read():
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return values[7] if len(values) > 7 else 0, sum(values[:8])

    def percent(self):
        steal, total = self.read()
        return 100 * (steal - self.start[0]) / max(1, total - self.start[1])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`classify serve` as a child process; stop() always ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, binary, environment, log_path):
        self.log_path = log_path
        self.log_file = open(log_path, "wb")
        self.process = subprocess.Popen([binary, "serve"], env=environment, stdin=subprocess.DEVNULL,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.process.pid

    def status(self):
        """VmRSS, VmHWM (MB) and thread count from /proc/PID/status."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return {"rss_mb": int(fields["VmRSS"].split()[0]) / 1024, "hwm_mb": int(fields["VmHWM"].split()[0]) / 1024,
                "threads": int(fields["Threads"])}

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def alive(self):
        return self.process.poll() is None

    def log_tail(self):
        with open(self.log_path, "rb") as handle:
            return handle.read()[-3000:].decode("utf-8", "replace")

    def stop(self):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log("server still running 20 s after SIGTERM: SIGKILL")
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()
        return self.process.returncode


class API:
    def __init__(self, port):
        self.port = port
        self.token = None

    def request(self, method, path, body=None, content_type="application/json", timeout=60):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": content_type} if body is not None else {}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def json(self, method, path, payload=None, expect=(200,)):
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {data[:300]!r}")
        return json.loads(data)

    def sign_in(self):
        self.token = None
        self.token = self.json("POST", "/api/v1/auth/token", {"grant_type": "local"})["access_token"]

    def wait_ready(self, server, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not server.alive():
                raise RuntimeError(f"classify serve exited: {server.log_tail()}")
            try:
                if self.request("GET", "/health/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"classify serve not ready after {seconds} s: {server.log_tail()}")

    def wait_job(self, job_id, seconds, interval=0.05):
        deadline = time.monotonic() + seconds
        while True:
            job = self.json("GET", f"/api/v1/blur/jobs/{job_id}")
            if job["status"] in ("done", "failed"):
                return job
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} not done after {seconds} s: {job}")
            time.sleep(interval)


def analyze_all(api, figures):
    """POST blur/analyze-batch {} -> job id. A 500 is retried (at most 10 times) and counted:
    the server's SQLite transaction can fail with "busy: cannot commit transaction - SQL
    statements in progress" when its workers' queries interleave with it (see the report)."""
    for _ in range(10):
        status, data = api.request("POST", "/api/v1/blur/analyze-batch", b"{}")
        if status == 202:
            return json.loads(data)
        if status != 500:
            raise RuntimeError(f"analyze-batch answered {status}: {data[:300]!r}")
        figures["batch_500s"] = figures.get("batch_500s", 0) + 1
        log(f"analyze-batch answered 500 ({data[:120]!r}); retrying")
        time.sleep(1)
    raise RuntimeError("analyze-batch answered 500 ten times")


def upload_all(api, paths, per_request=10, connections=2, analyze=False):
    """Uploads `paths` (multipart, parts named file) over `connections` keep-alive
    connections; returns the photo ids and, with `analyze` (?analyze=true: each request's
    photos are queued at once), the job ids."""
    chunks = queue.Queue()
    for start in range(0, len(paths), per_request):
        chunks.put(paths[start:start + per_request])
    ids, jobs, failures, lock = [], [], [], threading.Lock()
    upload_path = "/api/v1/photos/upload" + ("?analyze=true" if analyze else "")

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=300)
        try:
            while True:
                try:
                    chunk = chunks.get_nowait()
                except queue.Empty:
                    return
                boundary = f"classify-{uuid.uuid4().hex}"
                # Streamed as a browser sends a form: part headers, then each file straight
                # from the page cache with sendfile(2), so the client's own copying does not
                # eat into the two cores the server and `classify scan` are measured on.
                heads = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                         f"filename=\"{os.path.basename(path)}\"\r\nContent-Type: image/jpeg\r\n\r\n".encode()
                         for path in chunk]
                closing = f"--{boundary}--\r\n".encode()
                length = sum(len(head) + os.path.getsize(path) + 2 for head, path in zip(heads, chunk)) + len(closing)
                connection.putrequest("POST", upload_path)
                connection.putheader("Authorization", f"Bearer {api.token}")
                connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
                connection.putheader("Content-Length", str(length))
                connection.endheaders()
                for head, path in zip(heads, chunk):
                    connection.sock.sendall(head)
                    with open(path, "rb") as handle:
                        connection.sock.sendfile(handle)
                    connection.sock.sendall(b"\r\n")
                connection.sock.sendall(closing)
                response = connection.getresponse()
                answer = response.read()
                with lock:
                    if response.status != 201:
                        failures.append(f"{response.status}: {answer[:200]!r}")
                        return
                    decoded = json.loads(answer)
                    ids.extend(photo["id"] for photo in decoded["photos"])
                    if decoded.get("job_id"):
                        jobs.append(decoded["job_id"])
                    failures.extend(f"{e['filename']}: {e['error']}" for e in decoded["errors"])
        except Exception as error:  # noqa: BLE001 - reported below
            with lock:
                failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1800)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("an upload did not finish in 30 minutes")
    if failures:
        raise RuntimeError(f"uploads refused: {failures[:5]}")
    return ids, jobs


def settle(server, seconds=5.0, limit=0.05):
    """Waits until the server has used under `limit` of a core in each second for `seconds`
    in a row (at most 60 s)."""
    deadline = time.monotonic() + 60
    quiet_since, last = time.monotonic(), server.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(1)
        now = server.cpu_seconds()
        if now - last > limit:
            quiet_since = time.monotonic()
        last = now
        if time.monotonic() - quiet_since >= seconds:
            return
    log(f"server did not go quiet within 60 s (last second: {100 * (now - last):.0f} % of a core)")


def forget(api, ids, paths, store):
    """Deletes the uploaded photos (DELETE /photos/{id}), so the next repetition stores the
    same bytes anew, and checks that the server deleted their stored files too."""
    for photo_id in ids:
        status, data = api.request("DELETE", f"/api/v1/photos/{photo_id}")
        if status not in (200, 204):
            raise RuntimeError(f"DELETE photos/{photo_id} answered {status}: {data[:200]!r}")
    for path in paths:
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        stored = os.path.join(store, digest[:2], digest)
        if os.path.exists(stored):
            raise RuntimeError(f"DELETE left {stored} on disk")


def stage(folder, count, target):
    """Hard links (copies across file systems) to the first `count` photos of `folder` in
    `target`: commands that take a folder then see exactly those."""
    names = sorted(name for name in os.listdir(folder) if name.startswith("photo-") and name.endswith(".jpg"))
    if len(names) < count:
        raise RuntimeError(f"{folder} has {len(names)} photos, {count} wanted")
    os.makedirs(target)
    paths = []
    for name in names[:count]:
        path = os.path.join(target, name)
        try:
            os.link(os.path.join(folder, name), path)
        except OSError:
            shutil.copyfile(os.path.join(folder, name), path)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--small", required=True)
    parser.add_argument("--small-count", type=int, default=10000)
    parser.add_argument("--big", required=True)
    parser.add_argument("--big-count", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--results")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="classify-bench-web-")
    small_dir, big_dir = os.path.join(work, "small"), os.path.join(work, "big")
    small, big = stage(args.small, args.small_count, small_dir), stage(args.big, args.big_count, big_dir)
    big_bytes = sum(os.path.getsize(path) for path in big)
    port = free_port()
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "DATA_DIR": os.path.join(work, "data"),
                   "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": str(args.workers)}
    figures = {}
    server = None
    try:
        # (a) seed: import, start, analyse through the queue.
        log(f"importing {len(small)} photos (classify import)")
        start = time.monotonic()
        imported = subprocess.run([args.bin, "import", small_dir], env=environment, capture_output=True, text=True,
                                  timeout=1800)
        figures["import_s"] = time.monotonic() - start
        summary_line = (imported.stdout.strip().splitlines() or ["?"])[-1]
        if imported.returncode != 0 or not summary_line.startswith(f"{len(small)} added"):
            raise RuntimeError(f"classify import: exit {imported.returncode}, {summary_line} {imported.stderr[-500:]}")

        log(f"starting classify serve on 127.0.0.1:{port}, WORKERS={args.workers}")
        server = Server(args.bin, environment, os.path.join(work, "serve.log"))
        api = API(port)
        api.wait_ready(server)
        figures["rss_start"] = server.status()
        api.sign_in()
        log(f"analysing {len(small)} photos through the queue")
        steal = Steal()
        start = time.monotonic()
        batch = analyze_all(api, figures)
        job = api.wait_job(batch["job_id"], seconds=1800, interval=0.2)
        figures["seed_s"] = time.monotonic() - start
        figures["seed_steal"] = steal.percent()
        if job["done"] != len(small) or job["failed"]:
            raise RuntimeError(f"seeding job: {job['done']} done, {job['failed']} failed: {job['errors'][:3]}")
        stats = api.json("GET", "/api/v1/stats")
        figures["stats"] = stats
        settle(server)
        figures["rss_seeded"] = server.status()

        # (a) wrk, paced.
        api.sign_in()
        path = "/api/v1/photos?filter=blurred"
        status, body = api.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        page = json.loads(body)
        figures["page_photos"], figures["page_bytes"] = len(page["photos"]), len(body)
        for _ in range(50):  # warm-up
            api.request("GET", path)
        threads, connections = 2, 16
        log(f"wrk: GET {path} at {args.rate} requests/s for {args.duration} s")
        cpu_before, steal = server.cpu_seconds(), Steal()
        wrk = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{args.duration}s", "--timeout", "5s",
             "-s", os.path.join(HERE, "paced.lua"), f"http://127.0.0.1:{port}"],
            env={**os.environ, "TOKEN": api.token, "RATE": str(args.rate), "THREADS": str(threads),
                 "TARGET_PATH": path},
            capture_output=True, text=True, timeout=args.duration + 120)
        figures["wrk_cpu"] = (server.cpu_seconds() - cpu_before) / args.duration
        figures["wrk_steal"] = steal.percent()
        line = next((l for l in wrk.stdout.splitlines() if l.startswith("WRKJSON ")), None)
        if wrk.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({wrk.returncode}): {wrk.stdout[-1000:]} {wrk.stderr[-1000:]}")
        figures["wrk"] = json.loads(line[len("WRKJSON "):])
        figures["wrk_threads"], figures["wrk_connections"] = threads, connections
        settle(server)
        figures["rss_after_wrk"] = server.status()

        # (b) 500 12 MP photos: upload with ?analyze=true (each request's photos queued at
        # once, so analysis overlaps the uploads), until every job is done; then the same
        # files through classify scan. Alternated --reps times (this machine's speed drifts
        # by up to ±10 % from one run to the next): the ratio is of the medians. Between
        # repetitions the photos are deleted, and their stored files too, so each upload
        # stores them anew.
        scan = [args.bin, "scan", "--jobs", str(args.workers), "--format", "json", big_dir]
        figures["web_runs"], figures["scan_runs"] = [], []
        for rep in range(args.warmup + args.reps):
            if rep:
                forget(api, ids, big, os.path.join(work, "data", "photos"))
                settle(server)
            name = f"warm-up {rep + 1}" if rep < args.warmup else f"{rep + 1 - args.warmup}/{args.reps}"
            log(f"[{name}] uploading {len(big)} 12 MP photos with ?analyze=true")
            api.sign_in()
            cpu_before, steal = server.cpu_seconds(), Steal()
            start = time.monotonic()
            ids, jobs = upload_all(api, big, analyze=True)
            upload_s = time.monotonic() - start
            finished = [api.wait_job(job_id, seconds=1800, interval=0.02) for job_id in jobs]
            web_s = time.monotonic() - start
            figures["web_runs"].append({"web_s": web_s, "upload_s": upload_s, "steal": steal.percent(),
                                        "cpu_s": server.cpu_seconds() - cpu_before})
            queued = sum(job["total"] for job in finished)
            done = sum(job["done"] for job in finished)
            failed = sum(job["failed"] for job in finished)
            if len(set(ids)) != len(big) or queued != len(big) or done != len(big) or failed:
                raise RuntimeError(
                    f"12 MP batch: {len(set(ids))} uploaded, {queued} queued, {done} done, {failed} failed")

            log(f"[{name}] classify scan --jobs {args.workers} on the same {len(big)} files")
            steal = Steal()
            start = time.monotonic()
            checked = subprocess.run(scan, capture_output=True, text=True, timeout=1800)
            scan_s = time.monotonic() - start
            records = [json.loads(line) for line in checked.stdout.splitlines() if line.strip()]
            if checked.returncode != 0 or len(records) != len(big) or any("error" in r for r in records):
                raise RuntimeError(f"classify scan: exit {checked.returncode}, {len(records)} lines")
            figures["scan_runs"].append({"scan_s": scan_s, "steal": steal.percent()})
        settle(server)
        figures["rss_settled"] = server.status()
        figures["server_exit"] = server.stop()
    except BaseException:
        if server is not None:
            server.stop()
            log(f"the server's log ends:\n{server.log_tail()}")
        raise
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    report = summary(figures, args, len(small), len(big), big_bytes)
    print(report)
    if args.results:
        with open(args.results, "w") as handle:
            handle.write(report + "\n")


def summary(f, args, small_count, big_count, big_bytes):
    w, stats = f["wrk"], f["stats"]
    seconds = w["duration_us"] / 1e6
    achieved = w["requests"] / seconds
    socket_errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"]
    errors = w["non2xx"] + socket_errors
    ms = lambda us: us / 1000  # noqa: E731
    median = statistics.median
    warm_webs, warm_scans = f["web_runs"][:args.warmup], f["scan_runs"][:args.warmup]
    webs, scans = f["web_runs"][args.warmup:], f["scan_runs"][args.warmup:]
    web_s, scan_s = median(r["web_s"] for r in webs), median(r["scan_s"] for r in scans)
    ratio = web_s / scan_s
    runs = lambda values: " ".join(f"{value:.2f}" for value in values)  # noqa: E731
    rss = lambda key: f"{f[key]['rss_mb']:6.1f} MB ({f[key]['threads']} threads)"  # noqa: E731
    idle = max(f["rss_start"]["rss_mb"], f["rss_settled"]["rss_mb"])

    def row(name, value, target, met):
        return f"  {name:<34} {value:>10}  {target:<10} {'met' if met else 'NOT MET'}"

    def line(label, value):
        return f"  {label:<42} {value}"

    lines = [
        f"classify web benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {os.cpu_count()} cores, release build, "
        f"WORKERS={args.workers}, SQLite DATA_DIR",
        "",
        f"(a) {small_count:,} photos (320x240 JPEG) in the database, {stats['blurred']:,} blurred at "
        f"threshold {stats['threshold']}",
        line(f"classify import of {small_count:,} files", f"{f['import_s']:8.2f} s"),
        line("analysed through the queue", f"{f['seed_s']:8.2f} s  ({small_count / f['seed_s']:.0f} photos/s; "
             f"CPU steal {f['seed_steal']:.0f} %)"),
        f"  GET /api/v1/photos?filter=blurred ({f['page_photos']} photos, {f['page_bytes'] / 1024:.1f} KB a page), "
        f"wrk -t{f['wrk_threads']} -c{f['wrk_connections']} paced at {args.rate}/s for {args.duration} s:",
        line("  requests", f"{w['requests']:8d}  in {seconds:.1f} s = {achieved:.1f} requests/s"),
        line("  latency p50 / p90 / p99",
             f"{ms(w['p50_us']):8.2f} / {ms(w['p90_us']):.2f} / {ms(w['p99_us']):.2f} ms  "
             f"(p99.9 {ms(w['p999_us']):.2f}, max {ms(w['max_us']):.2f}, mean {ms(w['mean_us']):.2f})"),
        line("  errors", f"{errors:8d}  (non-2xx {w['non2xx']}, connect {w['connect_errors']}, "
             f"read {w['read_errors']}, write {w['write_errors']}, timeout {w['timeouts']})"),
        line("  server CPU during the run", f"{100 * f['wrk_cpu']:8.0f} % of one core "
             f"({1000 * f['wrk_cpu'] * args.duration / max(1, w['requests']):.1f} ms a request; CPU steal "
             f"{f['wrk_steal']:.0f} %)"),
        "",
        f"(b) {big_count} 12 MP JPEGs (4000x3000, {big_bytes / 1e9:.2f} GB): upload + queue, then scan, "
        f"{len(webs)} times in turn; medians",
        line("upload (10 files/request, 2 connections)",
             f"{median(r['upload_s'] for r in webs):8.2f} s  (runs {runs(r['upload_s'] for r in webs)})"),
        line("upload?analyze=true until all jobs done",
             f"{web_s:8.2f} s  ({big_count / web_s:.1f} photos/s; runs {runs(r['web_s'] for r in webs)}; "
             f"server CPU {median(r['cpu_s'] for r in webs):.1f} s; CPU steal {max(r['steal'] for r in webs):.0f} %)"),
        line(f"classify scan --jobs {args.workers} --format json",
             f"{scan_s:8.2f} s  ({big_count / scan_s:.1f} photos/s; runs {runs(r['scan_s'] for r in scans)}; "
             f"CPU steal {max(r['steal'] for r in scans):.0f} %)"),
        line("upload+queue / scan, each pair", runs(w["web_s"] / c["scan_s"] for w, c in zip(webs, scans))),
        *[line(f"warm-up pair {index + 1}, not in the medians",
               f"upload {w['upload_s']:.2f} s, upload+queue {w['web_s']:.2f} s, scan {c['scan_s']:.2f} s: "
               f"{w['web_s'] / c['scan_s']:.2f}")
          for index, (w, c) in enumerate(zip(warm_webs, warm_scans))],
        "",
        "(c) classify serve VmRSS",
        line("right after start", rss("rss_start")),
        line(f"after analysing the {small_count:,}, settled", rss("rss_seeded")),
        line("after wrk, settled", rss("rss_after_wrk")),
        line(f"after the {big_count} 12 MP photos, settled", rss("rss_settled")),
        line("peak (VmHWM)", f"{f['rss_settled']['hwm_mb']:6.1f} MB"),
        line("exit status on SIGTERM", f"{f['server_exit']}"),
        "",
        *([f"  NOTE: POST blur/analyze-batch answered 500 {f['batch_500s']} time(s) (SQLite 'cannot commit "
           "transaction - SQL statements in progress'); retried", ""] if f.get("batch_500s") else []),
        f"  {'target':<34} {'value':>10}  {'wanted':<10} status",
        row("p99 latency (ms)", f"{ms(w['p99_us']):.2f}", "< 20", ms(w["p99_us"]) < 20),
        row("errors", f"{errors}", "0", errors == 0),
        row("rate achieved (requests/s)", f"{achieved:.1f}", f">= {0.98 * args.rate:.0f}", achieved >= 0.98 * args.rate),
        row("upload+queue / scan (medians)", f"{ratio:.2f}", "<= 1.25", ratio <= 1.25),
        row("idle RSS, start and settled (MB)", f"{idle:.1f}", "< 100", idle < 100),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
