// A plain JavaScript Worker doing what examples/echo's "echo" function does
// over fetch: POST /echo with a binary-mode CloudEvent answers the echo
// reply (ce-type polyfn.echo.reply, source polyfn/examples/echo, id
// ID.reply) whose JSON data is the received event in the CloudEvents JSON
// format. The performance test measures the Go Worker against it.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/echo") return new Response("not found", { status: 404 });
    const h = request.headers;
    const ev = { specversion: h.get("ce-specversion"), id: h.get("ce-id"), source: h.get("ce-source"), type: h.get("ce-type") };
    if (ev.specversion !== "1.0" || !ev.id || !ev.source || !ev.type) {
      return Response.json({ error: "not a binary-mode CloudEvent" }, { status: 400 });
    }
    for (const [k, v] of h) {
      if (k.startsWith("ce-") && !(k.slice(3) in ev)) ev[k.slice(3)] = decodeURIComponent(v);
    }
    const ct = h.get("content-type");
    const body = await request.text();
    if (ct) ev.datacontenttype = ct;
    if (ct && ct.startsWith("application/json")) {
      try { ev.data = JSON.parse(body); } catch { return Response.json({ error: "data is not JSON" }, { status: 400 }); }
    } else if (body.length > 0) {
      ev.data = body;
    }
    if (ev.data && ev.data.fail === true) {
      return Response.json({ error: "the function failed", kind: "retryable" }, { status: 500 });
    }
    return new Response(JSON.stringify(ev), {
      headers: {
        "content-type": "application/json", "ce-specversion": "1.0", "ce-id": ev.id + ".reply",
        "ce-source": "polyfn/examples/echo", "ce-type": "polyfn.echo.reply",
      },
    });
  },
};
