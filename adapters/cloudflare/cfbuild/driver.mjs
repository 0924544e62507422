// driver.mjs: a Worker that fires the App's scheduled and queue handlers
// through its service binding APP, for polyfn invoke and tests (workerd
// serve --experimental, compatibility flag service_binding_extra_handlers).
//
//   POST /__polyfn/scheduled  {"cron": "...", "scheduledTime": MILLIS}
//   POST /__polyfn/queue      {"queue": "...", "messages": [{"id", "timestamp", "attempts", "body"}]}
//
// answer with what the runtime reported: {outcome, noRetry} for scheduled,
// {outcome, ackAll, retryBatch, explicitAcks, retryMessages} for queue.
// Other requests go to the App unchanged.
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && path === "/__polyfn/scheduled") {
      const { cron, scheduledTime } = await request.json();
      const r = await env.APP.scheduled({ cron, scheduledTime: new Date(scheduledTime) });
      return Response.json(r);
    }
    if (request.method === "POST" && path === "/__polyfn/queue") {
      const { queue, messages } = await request.json();
      const r = await env.APP.queue(queue, messages.map((m) => ({
        id: m.id, timestamp: new Date(m.timestamp), attempts: m.attempts, body: m.body,
      })));
      return Response.json(r);
    }
    return env.APP.fetch(request);
  },
};
