Feature: Live feeds over Server-Sent Events
  The reference server streams every channel at GET /sse/<channel>: each frame
  published there is one event (id = its seq, event = its type, data = the frame).
  The same receive steps read the events; refusals and ends read like handshakes
  and closes.

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
