// worker.mjs: the fixed ES-module shim that runs a polyfn App built with
// GOOS=js GOARCH=wasm -tags polyfn.cloudflare on Cloudflare Workers and
// workerd. It starts the Go program on the first event of an isolate (the
// global scope may not use timers or I/O), hands the program the Worker's
// string bindings as its environment, and passes fetch, scheduled and queue
// events to it. Bodies are copied into bytes before Go sees them. A fetch
// crosses through two buffers the program made once (see exchange_js.go):
// a request makes no JavaScript value for Go to track but the call's own.
import "./wasm_exec.js";
import wasm from "./app.wasm";

const enc = new TextEncoder();
const dec = new TextDecoder();
let started = null;
const pending = new Set(); // the reject functions of calls Go has not answered
const fetches = new Map(); // fetch id → { resolve, reject } until Go answers
let nextID = 1;

// answer is how Go answers fetch id: the header lines and the body are in
// app.out (or buf when they did not fit), and must be copied out at once.
globalThis.__polyfnAnswer = (id, status, headLen, bodyLen, buf) => {
  const f = fetches.get(id);
  if (!f) return;
  fetches.delete(id);
  pending.delete(f.reject);
  const src = buf || f.app.out;
  f.resolve([status, dec.decode(src.subarray(0, headLen)), src.slice(headLen, headLen + bodyLen)]);
};

// start runs the Go program once per isolate, or again after it exited.
function start(env) {
  if (started) return started;
  started = new Promise((resolve, reject) => {
    const go = new globalThis.Go();
    go.argv = ["polyfn"];
    go.env = {};
    for (const [k, v] of Object.entries(env || {})) {
      if (typeof v === "string") go.env[k] = v;
    }
    globalThis.__polyfnEnv = env;
    globalThis.__polyfnReady = (err) => (err ? reject(new Error(err)) : resolve(globalThis.__polyfn));
    const inst = new WebAssembly.Instance(wasm, go.importObject);
    const exited = (err) => {
      const e = err || new Error("polyfn: the Go program exited");
      started = null;
      reject(e);
      for (const r of pending) r(e);
      pending.clear();
      fetches.clear();
    };
    go.run(inst).then(() => exited(), exited);
  });
  started.catch(() => {});
  return started;
}

// call calls an exported Go function, which answers through the resolve
// and reject functions appended to args.
function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    pending.add(reject);
    fn(...args, (v) => { pending.delete(reject); resolve(v); }, (e) => { pending.delete(reject); reject(new Error(e)); });
  });
}

// fetchGo hands a request to Go: its head ("METHOD\nURL\n" then
// "name:value\n" lines) and body (null for none) are written into app.in,
// or into a buffer of their own when they do not fit.
function fetchGo(app, head, body) {
  return new Promise((resolve, reject) => {
    const id = nextID++;
    const rejectFetch = (e) => { fetches.delete(id); pending.delete(rejectFetch); reject(e); };
    fetches.set(id, { app, resolve, reject: rejectFetch });
    pending.add(rejectFetch);
    const bodyLen = body === null ? -1 : body.length;
    const fn = app.fetch; // called without a this: one value fewer for Go
    try {
      const { read, written } = enc.encodeInto(head, app.in);
      if (read === head.length && written + Math.max(bodyLen, 0) <= app.in.length) {
        if (body !== null) app.in.set(body, written);
        fn(id, written, bodyLen);
        return;
      }
      const h = enc.encode(head);
      const buf = new Uint8Array(h.length + Math.max(bodyLen, 0));
      buf.set(h);
      if (body !== null) buf.set(body, h.length);
      fn(id, h.length, bodyLen, buf);
    } catch (e) {
      rejectFetch(e);
    }
  });
}

function headerLines(h) {
  let s = "";
  for (const [k, v] of h) s += k + ":" + v + "\n";
  return s;
}

function bodyOf(body) {
  if (typeof body === "string") return { format: "text", body };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const b = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let s = "";
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return { format: "bytes", body: btoa(s) };
  }
  return { format: "json", body: body === undefined ? null : body };
}

const noBody = new Set([101, 204, 205, 304]);

export default {
  async fetch(request, env) {
    try {
      const app = await start(env);
      globalThis.__polyfnEnv = env;
      const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
      const [status, head, out] = await fetchGo(app, request.method + "\n" + request.url + "\n" + headerLines(request.headers), body);
      const headers = new Headers();
      for (const line of head.split("\n")) {
        const i = line.indexOf(":");
        if (i > 0) headers.append(line.slice(0, i), line.slice(i + 1));
      }
      return new Response(noBody.has(status) || out.length === 0 ? null : out, { status, headers });
    } catch (err) {
      console.error(String((err && err.stack) || err));
      return Response.json({ error: "the function is not running", kind: "unavailable" }, { status: 503 });
    }
  },

  async scheduled(controller, env) {
    const app = await start(env);
    globalThis.__polyfnEnv = env;
    await call(app.scheduled, controller.cron, Number(controller.scheduledTime));
  },

  async queue(batch, env) {
    const app = await start(env);
    globalThis.__polyfnEnv = env;
    const messages = batch.messages.map((m) => ({
      id: m.id, timestamp: Number(m.timestamp), attempts: m.attempts, ...bodyOf(m.body),
    }));
    const verdict = JSON.parse(dec.decode(await call(app.queue, enc.encode(JSON.stringify({ queue: batch.queue, messages })))));
    verdict.outcomes.forEach((o, i) => (o === "ack" ? batch.messages[i].ack() : batch.messages[i].retry()));
  },
};
