// kv.mjs: a Workers KV namespace kept in memory, for workerd.capnp's KV
// bindings (local runs and tests; Cloudflare keeps the real ones). workerd
// turns a binding's get, put and delete into GET, PUT and DELETE requests
// for the key's path; values live as long as the workerd process.
const store = new Map();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const key = url.pathname;
    switch (request.method) {
      case "GET": {
        const v = store.get(key);
        return v === undefined ? new Response(null, { status: 404 }) : new Response(v);
      }
      case "PUT":
        store.set(key, new Uint8Array(await request.arrayBuffer()));
        return new Response(null, { status: 200 });
      case "DELETE":
        store.delete(key);
        return new Response(null, { status: 200 });
    }
    return new Response(null, { status: 405 });
  },
};
