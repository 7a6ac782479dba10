// The traffic, sent with hot-shots (a widely used Node.js StatsD client) in buffered mode: several lines per
// datagram, as production clients send them.
//   node client.js agree PORT[,PORT...] ITERATIONS RATE   same calls to every port; prints the expected totals
//   node client.js load PORT RATE SECONDS NAME BUFFER     RATE lines/s of counter NAME for SECONDS; prints what was sent
// Every loop is bounded by its count and its time.
const StatsD = require('hot-shots');

const [mode, ...args] = process.argv.slice(2);

function client(port, maxBufferSize, errors) {
  return new StatsD({
    host: '127.0.0.1', port: Number(port), maxBufferSize, bufferFlushInterval: 5,
    errorHandler: () => { errors.count++; },
  });
}

function close(clients) {
  return Promise.all(clients.map(c => new Promise(resolve => c.close(() => resolve()))));
}

// Paces `total` calls of `step(i)` at `rate` per second, yielding to the event loop every millisecond so the sockets
// drain; stops at `total` calls or `limitMs`, whichever comes first. Resolves with the calls made and the time taken.
function paced(total, rate, limitMs, step) {
  const start = process.hrtime.bigint();
  let i = 0;
  return new Promise(resolve => {
    const tick = () => {
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      const due = Math.min(total, Math.floor(rate * elapsedMs / 1000) + 1);
      while (i < due) step(i++);
      if (i >= total || elapsedMs > limitMs) resolve({ calls: i, seconds: elapsedMs / 1000 });
      else setImmediate(tick);
    };
    tick();
  });
}

async function agree(ports, iterations, rate) {
  const errors = { count: 0 };
  const clients = ports.split(',').map(p => client(p, 1400, errors));
  // hot-shots decides sampling with Math.random; a fixed sequence makes every client send the same lines and tells
  // how many sampled increments went out.
  let sampledSent = 0;
  let nextRandom = 0;
  const originalRandom = Math.random;
  Math.random = () => nextRandom;
  let gaugeDelta = 0;
  const calls = await paced(iterations, rate, 120_000, i => {
    nextRandom = (i * 0.6180339887498949) % 1;
    if (nextRandom < 0.5) sampledSent++;
    for (const c of clients) {
      c.increment('cmp.count');
      c.increment('cmp.sampled', 1, 0.5);
      c.increment('cmp.by3', 3);
      c.timing('cmp.latency', 1 + (i % 250));
      c.gauge('cmp.level', i);
      c.gaugeDelta('cmp.delta', i % 2 === 0 ? 2 : -1);
      c.set('cmp.users', 'u' + (i % 100));
    }
    gaugeDelta += i % 2 === 0 ? 2 : -1;
  });
  Math.random = originalRandom;
  await close(clients);
  const n = calls.calls;
  let latencySum = 0;
  for (let i = 0; i < n; i++) latencySum += 1 + (i % 250);
  console.log(JSON.stringify({
    iterations: n, seconds: calls.seconds, errors: errors.count,
    counters: { 'cmp.count': n, 'cmp.sampled': sampledSent * 2, 'cmp.by3': 3 * n },
    gauges: { 'cmp.level': n - 1, 'cmp.delta': gaugeDelta },
    timers: { 'cmp.latency': { count: n, sum: latencySum } },
  }));
}

async function load(port, rate, seconds, name, buffer) {
  const errors = { count: 0 };
  const c = client(port, Number(buffer), errors);
  const total = Math.round(Number(rate) * Number(seconds));
  const calls = await paced(total, Number(rate), Number(seconds) * 1000 + 10_000, () => c.increment(name));
  await close([c]);
  console.log(JSON.stringify({ sent: calls.calls, seconds: calls.seconds, errors: errors.count }));
}

(mode === 'agree' ? agree(args[0], Number(args[1]), Number(args[2])) : load(...args)).catch(e => {
  console.error(e);
  process.exit(1);
});
