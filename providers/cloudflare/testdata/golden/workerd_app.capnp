# workerd.capnp for the Worker shop, written by polyfn build --provider cloudflare.
# Serve it locally: workerd serve workerd.capnp --socket-addr http=127.0.0.1:PORT
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "app", worker = .app),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "app") ],
);

const app :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "wasm_exec.js", esModule = embed "wasm_exec.js"),
    (name = "app.wasm", wasm = embed "app.wasm"),
  ],
  compatibilityDate = "2026-11-17",
  bindings = [
    (name = "LOG_LEVEL", text = "info"),
    (name = "SHOP_API_KEY", text = "k\"ey\n"),
  ],
);
