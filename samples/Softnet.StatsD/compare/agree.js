// The agreement check: every server's totals against the client's expected ones. Counters, gauges and timer
// counts must be equal; a timer's mean is compared to the microsecond, the resolution collectd's csv output keeps
// (it writes seconds with six decimals).
//   node agree.js EXPECTED_JSON NAME=TOTALS_JSON ...
const fs = require('fs');

const expected = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const servers = process.argv.slice(3).map(a => {
  const [name, file] = a.split('=');
  return { name, totals: JSON.parse(fs.readFileSync(file, 'utf8')) };
});
let failures = 0;
const rows = [];
const check = (metric, kind, want, get, same) => {
  const row = [kind, metric, String(want)];
  for (const s of servers) {
    const got = get(s.totals);
    const ok = got !== undefined && same(got, want);
    if (!ok) failures++;
    row.push(`${got}${ok ? '' : ' ✗'}`);
  }
  rows.push(row);
};
const exact = (a, b) => a === b;
const micro = (a, b) => Math.abs(a - b) < 0.0005;
for (const [m, v] of Object.entries(expected.counters)) check(m, 'counter', v, t => t.counters[m], exact);
for (const [m, v] of Object.entries(expected.gauges)) check(m, 'gauge', v, t => t.gauges[m], exact);
for (const [m, v] of Object.entries(expected.timers)) {
  check(m, 'timer count', v.count, t => t.timers[m]?.count, exact);
  const mean = v.sum / v.count;
  check(m, 'timer mean (ms)', Number(mean.toFixed(6)), t => t.timers[m] && Number((t.timers[m].sum / t.timers[m].count).toFixed(6)), micro);
}
console.log(`| metric | kind | client sent | ${servers.map(s => s.name).join(' | ')} |`);
console.log(`|---|---|---:|${servers.map(() => '---:').join('|')}|`);
for (const [kind, metric, ...cells] of rows) console.log(`| ${metric} | ${kind} | ${cells.join(' | ')} |`);
console.log(failures === 0 ? 'agreement: every server matches the client exactly' : `agreement: ${failures} mismatches`);
process.exit(failures === 0 ? 0 : 1);
