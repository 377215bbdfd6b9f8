// Artillery processor for crowd.yml: subscribe, count M broadcasts, finish.
//
// One async step per virtual user: send the subscribe frame, count every
// text frame that is a broadcast message ('"type":"message"', the reference
// server writes compact JSON) until M have arrived, then return so Artillery
// closes the connection. Counters (one emit per VU, not per message, so the
// metrics pipeline is not what is measured):
//   crowd.broadcasts_received  messages counted over all VUs
//   crowd.completed            VUs that received all M
// A VU that has not received M within timeout_s fails with an error.
'use strict';

async function subscribeAndCount(context, events) {
  const ws = context.ws;
  const wanted = Number(context.vars.messages);
  const timeoutMs = Number(context.vars.timeout_s) * 1000;
  let count = 0;
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${count} of ${wanted} broadcasts`)),
        timeoutMs
      );
      ws.on('message', (data) => {
        if (data.toString().includes('"type":"message"')) {
          count += 1;
          if (count >= wanted) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      ws.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`closed after ${count} of ${wanted} broadcasts`));
      });
      ws.send(JSON.stringify({ type: 'subscribe', channel: 'room:bench' }));
    });
    events.emit('counter', 'crowd.completed', 1);
  } finally {
    events.emit('counter', 'crowd.broadcasts_received', count);
  }
}

module.exports = { subscribeAndCount };
