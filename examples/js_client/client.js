// A client app on reconnecting-websocket (its own reconnect policy) over ws, under Node 20.
//
//   node examples/js_client/client.js ws://127.0.0.1:8765/ws --clients 5 \
//        --min-delay 200 --grow 2 --max-delay 5000
//
// Each client connects with ?client=jsN, says hello on every open and prints what it
// receives. reconnecting-websocket waits minReconnectionDelay * grow^(retry-1) between
// failed attempts; its default minReconnectionDelay is drawn once per page load, so
// every client of one process waits the same: backoff without jitter between them.
"use strict";

const ReconnectingWebSocket = require("reconnecting-websocket");
const WebSocket = require("ws");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const url = process.argv[2];
const clients = option("clients", 1);
const options = {
  WebSocket,
  minReconnectionDelay: option("min-delay", 1000),
  reconnectionDelayGrowFactor: option("grow", 1.3),
  maxReconnectionDelay: option("max-delay", 10000),
  connectionTimeout: 4000,
};
const separator = url.includes("?") ? "&" : "?";

for (let i = 1; i <= clients; i++) {
  const name = `js${i}`;
  const socket = new ReconnectingWebSocket(`${url}${separator}client=${name}`, [], options);
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "hello", client: name })));
  socket.addEventListener("message", (event) => console.log(`${name} received ${event.data}`));
  socket.addEventListener("error", () => {});
}
