// The crowd scenario, k6 side (bench/crowd_compare.py runs it with bench/k6/peer.py).
//
// N virtual users start at once (per-vu-iterations, one iteration each): each
// opens a WebSocket to the reference server as carol (TARGET), sends the
// subscribe frame, counts broadcast frames ('"type":"message"', the reference
// server writes compact JSON) until MESSAGES have arrived, then closes. A
// separate publisher process (the same one as for wsbdd and Artillery) waits
// until the server reports N subscriptions and publishes the messages.
// Counters (one add per VU, not per message):
//   crowd_broadcasts_received  messages counted over all VUs
//   crowd_completed            VUs that received all MESSAGES
// handleSummary writes the metrics to SUMMARY (JSON) for the driver.
import { WebSocket } from 'k6/experimental/websockets';
import { Counter } from 'k6/metrics';

const received = new Counter('crowd_broadcasts_received');
const completed = new Counter('crowd_completed');
const vus = Number(__ENV.CLIENTS);
const wanted = Number(__ENV.MESSAGES);
const timeoutMs = Number(__ENV.TIMEOUT_S) * 1000;

export const options = {
  scenarios: {
    crowd: { executor: 'per-vu-iterations', vus, iterations: 1,
             maxDuration: `${Number(__ENV.TIMEOUT_S) + 30}s` },
  },
  summaryTrendStats: ['med'],
};

export default function () {
  const ws = new WebSocket(__ENV.TARGET);
  let count = 0;
  let done = false;
  const finish = (ok) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    received.add(count);
    if (ok) completed.add(1);
    ws.close();
  };
  const timer = setTimeout(() => finish(false), timeoutMs);
  ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', channel: 'room:bench' }));
  ws.onmessage = (event) => {
    if (String(event.data).includes('"type":"message"')) {
      count += 1;
      if (count >= wanted) finish(true);
    }
  };
  ws.onerror = () => finish(false);
  ws.onclose = () => finish(false);
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY]: JSON.stringify(data) };
}
