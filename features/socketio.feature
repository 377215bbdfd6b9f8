@own_server
Feature: Socket.IO chat (Engine.IO v4 / Socket.IO v5)
  wsbdd's bundled Socket.IO app (wsbdd/server/socketio_app.py, python-socketio) is
  started by the first step on a free port; every connection below goes to it
  over Socket.IO: the namespace is the path, the token travels in the CONNECT
  packet's auth payload, pings are answered for the tester, acks are checked.

  Background:
    Given the Socket.IO reference app is running

  Scenario: Events between two clients of a room
    Given client A is connected to "/chat" over Socket.IO as alice
    And client B is connected to "/chat" over Socket.IO as bob
    When client A emits "join" with {"room": "lobby"} and the ack is {"ok": true} within 1 s
    And client B emits "join" with {"room": "lobby"} and the ack is {"ok": true} within 1 s
    When client A emits "chat message" with {"room": "lobby", "text": "hi"}
    Then client B receives the event "chat message" with {"text": "hi", "from": "alice"} within 500 ms
    And client A receives the event "chat message" with {"text": "hi"} within 500 ms

  Scenario: Several arguments are one JSON list
    Given client A connects to "/" over Socket.IO
    When client A emits "pair"
    Then client A receives the event "pair" with ["left", {"right": 2}] within 1 s

  Scenario: A namespace that wants a token refuses a client without one
    Given client A connects to "/chat" over Socket.IO
    Then client A receives the event "connect_error" with {"message": "unauthorized"} within 1 s

  Scenario: A server disconnect reads like a close
    Given client A is connected to "/" over Socket.IO
    When client A emits "kick"
    Then client A is closed by the server within 1 s

  Scenario: Rooms through the profile: subscribe is "join" with an ack
    Given the API profile "socketio-chat"
    And client A is connected to "/chat" as alice
    And client B is connected to "/chat" as bob
    And client B is subscribed to lobby
    When client A publishes "hello" to lobby
    Then client B receives "hello" from alice in lobby within 1 s
