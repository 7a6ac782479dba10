// Each server's flushed aggregates summed over the run, in one shape: counters (sum of every interval), gauges
// (last value), timers (count and sum over every interval).
//   node totals.js softnet FLUSH_LOG | etsy FLUSH_JSONL | collectd CSV_DIR
const fs = require('fs');
const path = require('path');

const [kind, where] = process.argv.slice(2);
const totals = { counters: {}, gauges: {}, timers: {} };
const timer = name => (totals.timers[name] ??= { count: 0, sum: 0 });
const read = file => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(l => l.length > 0) : []);

if (kind === 'softnet') {
  for (const line of read(where)) {
    const [, type, name, ...rest] = line.split(' ');
    if (type === 'counter') totals.counters[name] = (totals.counters[name] ?? 0) + Number(rest[0]);
    else if (type === 'gauge') totals.gauges[name] = Number(rest[0]);
    else if (type === 'timer') {
      const f = Object.fromEntries(rest.map(kv => kv.split('=')));
      timer(name).count += Number(f.count);
      timer(name).sum += Number(f.sum);
    }
  }
} else if (kind === 'etsy') {
  for (const line of read(where)) {
    const flush = JSON.parse(line);
    for (const [name, v] of Object.entries(flush.counters)) totals.counters[name] = (totals.counters[name] ?? 0) + v;
    for (const [name, v] of Object.entries(flush.gauges)) totals.gauges[name] = v;
    for (const [name, t] of Object.entries(flush.timers)) {
      timer(name).count += t.count;
      timer(name).sum += t.sum ?? 0;
    }
  }
} else if (kind === 'collectd') {
  // csv plugin files: <type>-<name>[-<suffix>]-YYYY-MM-DD with "epoch,value" rows; latency is in seconds.
  const dir = fs.existsSync(where) ? where : null;
  for (const file of dir ? fs.readdirSync(dir) : []) {
    const base = file.replace(/-\d{4}-\d{2}-\d{2}$/, '');
    const rows = read(path.join(dir, file)).slice(1).map(r => Number(r.split(',')[1])).filter(v => !Number.isNaN(v));
    const sum = rows.reduce((a, b) => a + b, 0);
    let m;
    if ((m = base.match(/^count-(.+)$/))) totals.counters[m[1]] = sum;
    else if ((m = base.match(/^gauge-(.+)-count$/))) timer(m[1]).count = sum;
    else if ((m = base.match(/^latency-(.+)-sum$/))) timer(m[1]).sum = sum * 1000;
    else if ((m = base.match(/^gauge-(.+)$/))) totals.gauges[m[1]] = rows.length ? rows[rows.length - 1] : undefined;
  }
} else {
  console.error('usage: node totals.js softnet|etsy|collectd PATH');
  process.exit(2);
}

console.log(JSON.stringify(totals));
