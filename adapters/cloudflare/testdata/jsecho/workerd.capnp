# The plain JavaScript echo Worker the performance test measures the Go
# Worker against: workerd serve workerd.capnp --socket-addr http=127.0.0.1:PORT
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "app", worker = .app) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "app") ],
);

const app :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2026-11-17",
);
