// The reference Socket.IO server (Node, npm socket.io) for tests/socketio: the same chat as
// wsbdd/server/socketio_app.py (namespaces "/" and "/chat", tokens, join/leave with acks,
// chat message to a room, echo, whoami, pair, burst, kick). Binds 127.0.0.1 on the port given
// (0: any) and prints "listening on ws://HOST:PORT http://HOST:PORT" once bound.
// Options: --port N, --ping-interval SECONDS.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(opt("--port", "0"));
const pingInterval = Math.round(Number(opt("--ping-interval", "25")) * 1000);
const users = { "alice-token": "alice", "bob-token": "bob", "carol-token": "carol" };

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval,
  pingTimeout: Math.max(pingInterval, 5000),
  maxHttpBufferSize: 64 * 2 ** 20,
  transports: ["websocket", "polling"],
});

function tokenOf(socket) {
  const auth = socket.handshake.auth || {};
  if (typeof auth.token === "string") return auth.token;
  if (typeof socket.handshake.query.token === "string") return socket.handshake.query.token;
  const header = socket.handshake.headers.authorization || "";
  const m = /^bearer\s+(\S+)$/i.exec(header.trim());
  return m ? m[1] : null;
}

for (const name of ["/", "/chat"]) {
  const ns = io.of(name);
  ns.use((socket, next) => {
    const token = tokenOf(socket);
    const user = token === null ? null : users[token];
    if (token !== null && user === undefined) return next(new Error("invalid token"));
    if (name === "/chat" && !user) return next(new Error("unauthorized"));
    socket.data.user = user || null;
    next();
  });
  ns.on("connection", (socket) => {
    const ack = (fn, value) => { if (typeof fn === "function") fn(value); };
    const split = (list) => {
      const fn = typeof list[list.length - 1] === "function" ? list.pop() : null;
      return [list, fn];
    };
    socket.on("join", (data, fn) => {
      const room = String((data || {}).room || "");
      socket.join(room);
      ack(fn, { ok: true, joined: room });
    });
    socket.on("leave", (data, fn) => {
      socket.leave(String((data || {}).room || ""));
      ack(fn, { ok: true });
    });
    socket.on("chat message", (data, fn) => {
      const body = data !== null && typeof data === "object" ? { ...data } : { text: data };
      body.from = socket.data.user;
      if (body.room) ns.to(String(body.room)).emit("chat message", body);
      else ns.emit("chat message", body);
      ack(fn, { ok: true });
    });
    socket.on("echo", (...list) => {
      const [rest, fn] = split(list);
      socket.emit("echo", ...rest);
      if (fn) fn(...rest);
    });
    socket.on("whoami", (...list) => ack(split(list)[1], { user: socket.data.user }));
    socket.on("pair", () => socket.emit("pair", "left", { right: 2 }));
    socket.on("burst", (data) => {
      const count = Number((data || {}).count || 1);
      for (let n = 0; n < count; n++) socket.emit("tick", { n });
    });
    socket.on("kick", () => socket.disconnect(true));
  });
}

httpServer.listen(port, "127.0.0.1", () => {
  const bound = httpServer.address().port;
  console.log(`listening on ws://127.0.0.1:${bound} http://127.0.0.1:${bound}`);
});
const stop = () => { io.close(); httpServer.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
