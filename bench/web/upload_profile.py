"""Profiles the server's upload path alone: starts the release `classify serve`, uploads 150
of bench-web's 12 MP photos (10 per request, no analysis) under `perf record -g`, and prints
the server CPU per photo. Run after `make bench-web` (it makes bench/data/web-12mp); then
`perf report -i /tmp/classify-upload-profile/perf.data --no-children --sort symbol`."""
import os, json, time, uuid, shutil, subprocess, http.client, glob
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
work = "/tmp/classify-upload-profile"
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
port = 47123
env = dict(os.environ, DATA_DIR=work + "/data", PORT=str(port), HOST="127.0.0.1", WORKERS="1")
srv = subprocess.Popen([root + "/.build/release/classify", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("POST", "/api/v1/auth/token", body=b'{"grant_type":"local"}')
tok = json.loads(c.getresponse().read())["access_token"]
files = sorted(glob.glob(root + "/bench/data/web-12mp/*.jpg"))[:150]
perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(srv.pid), "-o", work + "/perf.data"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.5)
t = time.time()
cpu0 = sum(int(x) for x in open(f"/proc/{srv.pid}/stat").read().split()[13:15])
for i in range(0, len(files), 10):
    b = f"b{uuid.uuid4().hex}"
    parts = []
    for f in files[i:i+10]:
        parts += [f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{os.path.basename(f)}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode(), open(f,"rb").read(), b"\r\n"]
    parts.append(f"--{b}--\r\n".encode())
    c.request("POST", "/api/v1/photos/upload", body=b"".join(parts), headers={"Authorization": "Bearer "+tok, "Content-Type": f"multipart/form-data; boundary={b}"})
    r = c.getresponse(); r.read(); assert r.status == 201, r.status
cpu1 = sum(int(x) for x in open(f"/proc/{srv.pid}/stat").read().split()[13:15])
print(f"{len(files)} uploads in {time.time()-t:.2f}s, server CPU {(cpu1-cpu0)/os.sysconf('SC_CLK_TCK'):.2f}s = {(cpu1-cpu0)/os.sysconf('SC_CLK_TCK')/len(files)*1000:.1f} ms/photo")
perf.send_signal(2); perf.wait()
srv.terminate(); srv.wait()
