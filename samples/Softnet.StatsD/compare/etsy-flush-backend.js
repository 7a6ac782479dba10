// A backend for Etsy's statsd that appends each flush as one JSON line (counters, gauges, timer_data), so the
// comparison reads the reference server's aggregates exactly as it computed them.
const fs = require('fs');

exports.init = function (startupTime, config, events) {
  const path = config.flushJsonFile;
  events.on('flush', (timestamp, metrics) => {
    const timers = {};
    for (const [name, data] of Object.entries(metrics.timer_data)) {
      timers[name] = { count: data.count, sum: data.sum, mean: data.mean };
    }
    fs.appendFileSync(path, JSON.stringify({ timestamp, counters: metrics.counters, gauges: metrics.gauges, timers }) + '\n');
  });
  return true;
};
