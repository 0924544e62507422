// worker.mjs: the fixed ES-module shim that runs a polyfn App built with
// GOOS=js GOARCH=wasm -tags polyfn.cloudflare on Cloudflare Workers and
// workerd. It starts the Go program on the first event of an isolate (the
// global scope may not use timers or I/O), hands the program the Worker's
// string bindings as its environment, and passes fetch, scheduled and queue
// events to it. Bodies are copied into bytes before Go sees them. A fetch
// crosses through the module's memory (see exchange_js.go): worker.mjs
// writes the request where the program said, calls the module's export
// polyfn_fetch and resumes the program, which answers through
// __polyfnAnswer with the addresses of its header lines and body.
import "./wasm_exec.js";
import wasm from "./app.wasm";

const enc = new TextEncoder();
const dec = new TextDecoder();
let started = null;
let running = null; // the program started resolves to, until it exits
const pending = new Set(); // the reject functions of calls Go has not answered
const fetches = new Map(); // fetch id → { resolve, reject } until Go answers
let nextID = 1;
let syncID = 0; // the fetch Go is running now, answered without a promise
let syncApp = null;
let syncAnswer = null;

// bytes returns a view of the module's memory, made again (with app.inView,
// the request buffer's) when the memory grew.
function bytes(app) {
  if (app.u8.buffer !== app.memory.buffer) {
    app.u8 = new Uint8Array(app.memory.buffer);
    app.inView = app.u8.subarray(app.in, app.in + app.inSize);
  }
  return app.u8;
}

// answer is how Go answers fetch id: the header lines and the body are in
// the module's memory, at headAddr and bodyAddr, and must be copied out at
// once.
globalThis.__polyfnAnswer = (id, status, headAddr, headLen, bodyAddr, bodyLen) => {
  const f = id === syncID ? null : fetches.get(id);
  if (id !== syncID && !f) return;
  const m = bytes(f ? f.app : syncApp);
  const a = [status, dec.decode(m.subarray(headAddr, headAddr + headLen)), m.slice(bodyAddr, bodyAddr + bodyLen)];
  if (!f) {
    syncAnswer = a;
    return;
  }
  fetches.delete(id);
  pending.delete(f.reject);
  f.resolve(a);
};

// fill is how Go takes a request that did not fit in app.in: it copies it
// to addr in the module's memory.
globalThis.__polyfnFill = (addr) => {
  const app = syncApp;
  bytes(app).set(app.big, addr);
  app.big = null;
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
    const inst = new WebAssembly.Instance(wasm, go.importObject);
    globalThis.__polyfnReady = (err) => {
      if (err) return reject(new Error(err));
      const app = globalThis.__polyfn;
      app.go = go;
      app.fetch = inst.exports.polyfn_fetch;
      app.memory = inst.exports.mem;
      app.u8 = new Uint8Array(0);
      bytes(app);
      running = app;
      resolve(app);
    };
    const exited = (err) => {
      const e = err || new Error("polyfn: the Go program exited");
      started = null;
      running = null;
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
// "name:value\n" lines) and body (null for none) are written into the
// module's memory at app.in or, when they do not fit, kept in app.big for
// Go to take (__polyfnFill). Go usually answers before the program pauses:
// then the answer is returned as it is, without a promise.
function fetchGo(app, head, body) {
  const id = nextID++;
  const bodyLen = body === null ? -1 : body.length;
  const m = bytes(app);
  let { read, written } = enc.encodeInto(head, app.inView);
  if (read === head.length && written + Math.max(bodyLen, 0) <= app.inSize) {
    if (body !== null) m.set(body, app.in + written);
  } else {
    const h = enc.encode(head);
    written = h.length;
    app.big = new Uint8Array(h.length + Math.max(bodyLen, 0));
    app.big.set(h);
    if (body !== null) app.big.set(body, h.length);
  }
  syncID = id;
  syncApp = app;
  syncAnswer = null;
  try {
    if (!app.fetch(id, written, bodyLen)) throw new Error("polyfn: too many requests queued");
    app.go._resume(); // copies the request, and runs it until it answers or waits on I/O
  } finally {
    syncID = 0;
    syncApp = null;
    app.big = null;
  }
  if (syncAnswer !== null) {
    const a = syncAnswer;
    syncAnswer = null;
    return a;
  }
  if (app.go.exited) throw new Error("polyfn: the Go program exited");
  return new Promise((resolve, reject) => {
    const rejectFetch = (e) => { fetches.delete(id); pending.delete(rejectFetch); reject(e); };
    fetches.set(id, { app, resolve, reject: rejectFetch });
    pending.add(rejectFetch);
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
      const app = running !== null ? running : await start(env);
      globalThis.__polyfnEnv = env;
      const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
      let answer = fetchGo(app, request.method + "\n" + request.url + "\n" + headerLines(request.headers), body);
      if (answer instanceof Promise) answer = await answer; // the request waits on I/O
      const [status, head, out] = answer;
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
