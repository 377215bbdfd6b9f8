Feature: Malformed input and message shapes
  Bad input is answered with an error while the connection stays open.

  @allure.label.story:errors @asyncapi.invalid-input
  Scenario: Invalid JSON is answered with bad_json and the connection stays open
    Given client A is connected as alice
    When client A sends the text "this is not json"
    Then client A receives {"type": "error", "code": "bad_json"} within 500 ms
    When client A sends {"type": "ping"}
    Then client A receives {"type": "pong"} within 500 ms

  @allure.label.story:errors @asyncapi.invalid-input
  Scenario: Unknown types and missing fields are errors, not disconnects
    Given client A is connected as alice
    When client A sends {"type": "dance"}
    Then client A receives {"type": "error", "code": "unknown_type"}
    When client A sends {"type": "subscribe"}
    Then client A receives {"type": "error", "code": "bad_request"}
    And client A stays open for 200 ms

  @allure.label.story:errors @asyncapi.invalid-input
  Scenario: A binary frame is answered with an error
    Given client A is connected as alice
    When client A sends the binary message "0a0b0c"
    Then client A receives {"type": "error", "code": "bad_request"}
