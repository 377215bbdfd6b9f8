Feature: Live feeds over Server-Sent Events
  The reference server streams every channel at GET /sse/<channel>: each frame
  published there is one event (id = its seq, event = its type, data = the frame).
  The same receive steps read the events; refusals and ends read like handshakes
  and closes. Through the chat-sse profile the channel phrases work too:
  subscribing opens the channel's stream, publishing is an HTTP request.

  @allure.label.story:sse
  Scenario: What bob publishes reaches an SSE feed, with its id
    Given client F connects to "/sse/room:ssefeed" over SSE
    And client B is connected as bob
    And client B is subscribed to room:ssefeed
    When client B publishes "hello" to room:ssefeed
    Then client F receives the event "message" with {"text": "hello", "from": "bob"} within 1 s
    And the last message of client F has event id "1"
    And client F receives no event "presence" within 200 ms

  @allure.label.story:sse
  Scenario: A resumed feed gets what it missed, from Last-Event-ID
    Given client B is connected as bob
    And client B is subscribed to room:sseresume
    And client F is connected to "/sse/room:sseresume" over SSE
    When client B publishes "one" to room:sseresume
    Then client F receives {"text": "one"} within 1 s
    When client F disconnects
    And client B publishes "two" to room:sseresume
    And client F reconnects and resumes
    Then client F receives {"text": "two"} within 1 s

  @allure.label.story:sse
  Scenario: A private feed is its owner's only
    Given client F connects to "/sse/user:alice:private" over SSE as bob
    Then client F's handshake is rejected with status 403
    Given client G is connected to "/sse/user:alice:private" over SSE as alice

  @allure.label.story:sse
  Scenario: Extra headers travel with the stream request
    Given client F connects to "/sse/room:sseheaders" over SSE with headers:
      | header        | value |
      | Last-Event-ID | 0     |
    Then client F is connected

  @allure.label.story:sse
  Scenario: Through the chat-sse profile: subscribe by stream, publish over HTTP
    Given the API profile "chat-sse"
    And client F is subscribed to room:sseprofile
    When client B authenticates as bob
    And client B publishes "hello" to room:sseprofile
    Then client F receives "hello" from bob in room:sseprofile within 1 s
    When client B publishes 20 messages to room:sseprofile
    Then client F receives all 20 messages from client B within 5 s
    And client F receives the messages from client B in the order they were published
    And the p95 delivery latency from client B to client F is below 500 ms

  @allure.label.story:sse
  Scenario: Through the chat-sse profile: a private channel is its owner's
    Given the API profile "chat-sse"
    When client F authenticates as bob
    And client F subscribes to user:alice:private
    Then client F's subscription to user:alice:private is rejected
    When client G authenticates as alice
    Then client G is subscribed to user:alice:private

  @allure.label.story:sse
  Scenario: Through the chat-sse profile: a resumed subscription gets what it missed
    Given the API profile "chat-sse"
    And client F is subscribed to room:sseprofresume
    When client B authenticates as bob
    And client B publishes "one" to room:sseprofresume
    Then client F receives "one" from bob in room:sseprofresume within 1 s
    When client F disconnects
    And client B publishes "two" to room:sseprofresume
    And client F reconnects and resumes
    Then client F receives "two" from bob in room:sseprofresume within 1 s
