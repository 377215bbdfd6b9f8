Feature: Security
  The server refuses cross-site handshakes, closes oversized messages and
  answers malformed input without disturbing anyone.

  @allure.label.story:origin @allure.label.severity:blocker
  Scenario: A handshake from a foreign origin is refused
    When client A connects as alice with origin "https://evil.example"
    Then client A's handshake is rejected with status 403

  @allure.label.story:origin
  Scenario: A handshake from the app's own origin is accepted
    Given client A is connected as alice with origin "https://chat.example.com"
    Then client A stays open for 200 ms

  @allure.label.story:limits @allure.label.severity:critical @asyncapi.invalid-input
  Scenario: An oversized message is closed with 1009
    Given client A is connected as alice
    When client A sends a text message of 70000 bytes
    Then client A is closed with code 1009 within 2 s

  @allure.label.story:malformed-input @asyncapi.invalid-input
  Scenario: Malformed input is answered while the connection and others carry on
    Given clients A and B are connected as alice and bob
    And client B is subscribed to room:sec
    When client A sends the text "{not json"
    Then client A receives {"type": "error", "code": "bad_json"} within 500 ms
    When client A publishes "still fine" to room:sec
    Then client B receives "still fine" from alice in room:sec within 500 ms
