// The goals, judged from compare.sh's capacity.dat and alloc.txt:
//   Softnet.StatsD's loss-free rate >= 10x Etsy's statsd's and >= 2x collectd's, and 0 B allocated per datagram on
//   its receive path. A loss-free rate is the highest offered rate of the ladder steps below the first step that lost
//   more than 0.1%; a server that lost nothing on the whole ladder has only a lower bound, one that lost at the first
//   step only an upper bound (that step's rate), and a verdict they leave open says so and how to settle it.
//   node verdict.js CAPACITY_DAT ALLOC_TXT
const fs = require('fs');

const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l && !l.startsWith('#')).map(l => l.split(' '));
const fmt = n => Math.round(n).toLocaleString('en-US');

// { rate, exact, lower, upper }: exact when a step passed and a later one lost; lower bound when nothing lost; upper
// bound (below the first step's rate) when the first step already lost.
function lossFree(server) {
  const ladder = rows.filter(r => r[0] === server && r[1] === 'ladder');
  if (ladder.length === 0) return undefined;
  const first = ladder.findIndex(r => Number(r[6]) > 0.1);
  if (first === 0) return { rate: Number(ladder[0][3]), bound: 'upper' };
  const ok = (first < 0 ? ladder : ladder.slice(0, first)).map(r => Number(r[3]));
  return { rate: Math.max(...ok), bound: first < 0 ? 'lower' : 'exact' };
}

function describe(c) {
  if (c.bound === 'lower') return `>= ${fmt(c.rate)} lines/s (lost nothing up to the top of the ladder)`;
  if (c.bound === 'upper') return `< ${fmt(c.rate)} lines/s (lost more than 0.1% at the first step)`;
  return `${fmt(c.rate)} lines/s`;
}

function goal(label, other, factor) {
  const s = lossFree('softnet');
  const o = lossFree(other);
  if (!s || !o) return console.log(`goal: ${label}: not measured (no ladder rows for ${!s ? 'softnet' : other})`);
  const ratio = s.rate / o.rate;
  const pair = `Softnet.StatsD ${describe(s)} against ${describe(o)}`;
  // The ratio is a lower bound when Softnet's rate is one or the other's is an upper bound; an upper bound when the
  // other server's is a lower bound.
  const atLeast = s.bound === 'lower' || o.bound === 'upper';
  const atMost = o.bound === 'lower' || s.bound === 'upper';
  let verdict;
  if (atMost && !atLeast) verdict = ratio >= factor ? `open: ${pair}, at most ${ratio.toFixed(1)}x; add higher RATES so ${other} loses` : `missed: ${pair}, at most ${ratio.toFixed(1)}x`;
  else if (atMost && atLeast) verdict = `open: ${pair}; neither figure is exact, change RATES`;
  else if (ratio >= factor) verdict = `met: ${pair}, ${atLeast ? 'at least ' : ''}${ratio.toFixed(1)}x`;
  else if (atLeast) verdict = `open: ${pair}, at least ${ratio.toFixed(1)}x; add higher RATES (the client's own limit may be the bound)`;
  else verdict = `missed: ${pair}, ${ratio.toFixed(1)}x`;
  console.log(`goal: ${label}: ${verdict}`);
}

goal(">= 10x Etsy statsd's loss-free rate", 'etsy', 10);
goal(">= 2x collectd's loss-free rate", 'collectd', 2);

// alloc.txt: "server allocated_bytes datagrams" over a repeat of the warm-up step (metric names already known).
const alloc = fs.existsSync(process.argv[3])
  ? fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(l => l).map(l => l.split(' '))
  : [];
const own = alloc.find(a => a[0] === 'softnet');
if (!own) {
  console.log('goal: 0 B allocated per datagram on the receive path: not measured');
} else {
  const [, bytes, datagrams] = own.map(Number);
  const perDatagram = datagrams > 0 ? bytes / datagrams : NaN;
  // The step repeats the warm-up's metric name, so nothing is allocated once per name; bytes allocated once (a pool,
  // the runtime's own) stay below 0.01 B per datagram over the step, a per-datagram allocation (>= 24 B) does not.
  const met = datagrams > 0 && perDatagram < 0.01;
  console.log(`goal: 0 B allocated per datagram on the receive path: ${met ? 'met' : 'missed'}: ${fmt(bytes)} B on the packet threads over ` +
    `${fmt(datagrams)} datagrams of known metric names = ${perDatagram.toFixed(4)} B/datagram (statsd_receive_allocated_bytes_total)`);
}
