# Example phrases of the wsbdd step catalogue (`wsbdd steps`, docs/steps.md).
#
# Every step definition of the library has at least one example here; each
# example matches exactly one definition. The first example of a definition is
# the one the catalogue shows first. The canonical vocabulary comes first
# (copied from the project's spec, in its order), then phrases it leaves out.

Feature: Canonical step vocabulary

  Scenario: Environment, variables and the API profile
    Given the server is running
    Given the API profile "chat"
    Given the default timeout is 2 s
    Given the variable "room" is "room:lobby"
    Given the tokens:
      | user  | token       |
      | alice | alice-token |
      | bob   | bob-token   |

  Scenario: Connecting, handshakes and closing
    Given client A connects
    Given client A is connected
    Given client A connects as alice
    Given client A is connected as alice
    Given clients A and B are connected as alice and bob
    Given client A connects to "/ws"
    Given client A connects to "ws://127.0.0.1:8765/ws"
    Given client A connects with token "not-a-real-token"
    Given client A connects with no token
    Given client A connects with subprotocols "chat.v2, chat.v1"
    Given client A connects with origin "https://evil.example"
    Given client A connects with headers:
      | header       | value   |
      | X-Request-Id | ${uuid} |
    Given client A connects to "/graphql" with subprotocols "graphql-transport-ws"
    Given client A connects to "/ws" as alice with subprotocols "chat.v2"
    Given client A is connected to "/ws" as alice
    Given client A connects to "/events" over SSE
    Given client A is connected to "/sse/room:lobby" over SSE as alice
    Then client A is connected
    Then client A's subprotocol is "chat.v2"
    Then client A has no subprotocol
    Then client A's handshake is rejected with status 403
    Then client A's connection is refused
    Then client A is closed with code 4401
    Then client A is closed with code 4403 within 2 s
    Then client A is closed with code 1008 and reason "policy violation"
    Then client A is closed by the server within 35 s
    Then client A is closed without a close frame within 5 s
    Then client A stays open for 2 s
    When client A disconnects
    When client A closes with code 4000 and reason "bye"
    When client A drops its connection
    When client A reconnects
    When client A reconnects and resumes
    When all clients disconnect

  Scenario: Sending
    When client A sends {"type": "ping"}
    When client A sends:
      """
      {"type": "message", "channel": "${room}", "text": "hi"}
      """
    When client A sends the text "hello"
    When client A sends the binary message "0a0b0c"
    When client A sends 100 messages:
      """
      {"type": "message", "channel": "room:lobby", "text": "n=${i}"}
      """
    When client A sends 1000 messages at 200 per second:
      """
      {"type": "message", "channel": "room:lobby", "text": "n=${i}"}
      """
    When client A sends a protocol ping

  Scenario: Receiving and asserting
    Then client A receives {"type": "pong"}
    Then client A receives {"type": "pong"} within 200 ms
    Then client A receives {"type": "presence", "user": "bob", "status": "left"} within 2 s
    Then client B receives:
      """
      {"type": "message", "from": "alice", "text": "hi"}
      """
    Then client B receives within 500 ms:
      """
      {"type": "message", "from": "alice", "text": "hi"}
      """
    Then client B's next message is:
      """
      {"type": "message"}
      """
    Then client B receives the text "hello"
    Then client B receives a binary message
    Then client A receives no message within 1 s
    Then client A receives no message matching {"channel": "room:general"} within 1 s
    Then client A receives, in order, within 2 s:
      """
      {"type": "order.created", "id": "${order_id}"}
      {"type": "order.paid", "id": "${order_id}"}
      """
    Then client A receives, in any order, within 2 s:
      """
      {"type": "presence", "user": "bob"}
      {"type": "message", "from": "bob"}
      """
    Then client A receives 100 messages matching {"type": "message"} within 5 s
    Then client A receives a message matching schema "order.created.json"
    Then client A receives a message matching schema "order.created.json" within 1 s
    Then the last message of client A matches schema "order.created.json"
    Then every message received by client A matches schema "events.json"
    Then the last message of client A has "$.items[0].qty" equal to 2
    Then client A receives a protocol pong within 200 ms
    Then client A receives a protocol ping within 30 s
    When I save "$.id" from the last message of client A as "order_id"

  Scenario: Named events (SSE, Socket.IO)
    Then client A receives the event "price" within 500 ms
    Then client A receives the event "price" with {"symbol": "ACME"} within 500 ms
    Then client A receives no event "price" within 300 ms
    Then the last message of client A has event id "42"

  Scenario: Socket.IO emits and acks
    Given the Socket.IO reference app is running
    Given client A is connected to "/chat" over Socket.IO as alice
    When client A emits "chat message" with {"text": "hi"}
    When client A emits "join" with {"room": "lobby"} and the ack is {"ok": true} within 1 s

  Scenario: Channels, through the API profile
    When client A authenticates as alice
    Given client A is subscribed to room:lobby
    When client A subscribes to room:lobby
    Then client A's subscription to room:lobby is confirmed
    Then client A's subscription to user:123:private is rejected
    When client A unsubscribes from room:lobby
    When client A publishes "hi" to room:lobby
    When client A publishes 200 messages to room:lobby at 50 per second
    Then client B receives "hi" from alice in room:lobby
    Then client B receives "hi" from alice in room:lobby within 500 ms
    Then client B receives all 200 messages from client A within 10 s
    Then client B receives the messages from client A in the order they were published
    When client A sends a ping
    Then client A receives a pong within 200 ms

  Scenario: Timing
    Then the p95 delivery latency from client A to client B is below 200 ms
    Then the p99 delivery latency from client A to client B is below 500 ms

  Scenario: Heartbeats and slow consumers
    Given client A does not answer pings
    When client A stops answering pings
    When client A stays idle for 5 s
    When client A stops reading
    When client A resumes reading
    Then client A is closed with code 1013 within 5 s

  Scenario: HTTP triggers
    When I send a GET request to "/healthz"
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "book", "qty": 2}
      """
    Then the response status is 201
    When I save "$.id" from the response as "order_id"
    Given the HTTP headers:
      | header | value            |
      | Accept | application/json |
    When I send a GET request to "/orders/${order_id}" with headers:
      | header | value            |
      | Accept | application/json |
    When I send a POST request to "/notes" with the text "hello"
    When I send a POST request to "/form" with content type "application/x-www-form-urlencoded":
      """
      a=1&b=2
      """
    Then the response header "Content-Type" is "application/json"
    Then the response header "Location" matches "^/orders/[0-9a-f-]+$"
    Then the response body contains "queued messages: 1"
    When I save the response header "Location" as "order_url"

  Scenario: Server control, crowds and leaks
    When the server restarts
    When the server stops
    When the server starts
    When I record the server's memory
    Given 1000 clients are connected
    Given 1000 clients are connected as carol
    Given 500 clients are connected and subscribed to room:lobby
    Given 500 clients are connected as carol and subscribed to room:lobby
    When 10000 clients connect and disconnect, 200 at a time
    When the 500 clients reconnect at once
    Then all 500 clients are connected within 10 s
    Then each of the 500 clients receives 10 messages within 2 s
    Given crowds run on 2 Locust workers
    Then each of the 500 clients receives "hi" from alice in room:lobby within 2 s
    Then each of the 500 clients receives {"type": "message"} within 2 s
    Then the p99 delivery latency from client A to the 500 clients is below 300 ms
    Then the server's memory grew by less than 50 MB
    Then the server metric "connections" is 0

  Scenario: A mock server, to test a client application (reconnect, backoff, jitter)
    Given a mock server
    Given a mock server at "/ws" with subprotocols "chat.v2"
    Given a mock server on port 8765
    Given the mock server greets every client with {"type": "welcome"}
    Given the mock server answers {"type": "ping"} with {"type": "pong"}
    Given the mock server answers {"type": "ping", "id": "{{any}}"} with {"type": "pong", "id": "${id}"}
    Given the mock server has a latency of 200 ms
    Given the mock server has a latency of 100 ms to 300 ms per connection
    Given the mock server tells clients apart by the header "X-Device"
    Given the mock server tells clients apart by the query parameter "device"
    Given the mock server tells clients apart by the field "user"
    When the app under test is started with "python client.py ${mock_url}"
    Then the mock server has 1 connection within 5 s
    Then the mock server has 50 connections within 10 s
    Then the mock server receives {"type": "hello"} within 1 s
    When the mock server sends {"type": "message", "text": "hi"} to every client
    When the mock server drops every connection
    When the mock server closes every connection with code 1012
    When the mock server closes every connection with code 1012 "restarting"
    When the mock server refuses new connections with status 503 for 3 s
    Then every client reconnects within 30 s
    Then the reconnections are spread over at least 2 s
    Then the reconnect delays of each client grow at least 1.5 times per attempt
    Then the reconnect delays vary by at least 20% between clients

  Scenario: More phrases
    Given the variable "qty" is 2
    Given the variable "order" is:
      """
      {"item": "book", "qty": 2}
      """
    Then client A's next message is {"type": "pong"}
    Then client B receives the binary message "0a0b0c"
    When client A sends a text message of 70000 bytes
    Then the response body matches {"status": "ok"}
    Then the response body matches:
      """
      {"item": "book", "qty": 2}
      """

  Scenario: AsyncAPI contracts
    Given the AsyncAPI contract "asyncapi.yaml"
    Then client A receives the message "OrderCreated" within 1 s
    Then every message of client A conforms to the AsyncAPI contract
    Then every message of this scenario conforms to the AsyncAPI contract

  Scenario: Binary frames and codecs
    Given client A's messages are MessagePack
    Given client A's messages are CBOR
    Given client A's messages are Protobuf "chat.Envelope" from "protos/chat.proto"
    Then client A receives a binary message starting with "30 0c"
    Then client A's next message is the binary message "20 02 00 00"
    Then client A receives, in order, the binary messages:
      """
      30 05 00 01 74 31
      30 05 00 01 74 32
      """
