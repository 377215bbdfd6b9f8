Feature: Minimal chat
  Alice and Bob meet in the lobby. What one says, the other hears at once,
  and one person leaving does not disturb the other.

  @allure.label.story:delivery @allure.label.severity:critical
  Scenario: Alice says hi and Bob hears it within 500 ms
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:lobby
    And client B is subscribed to room:lobby
    When client A publishes "hi" to room:lobby
    Then client B receives "hi" from alice in room:lobby within 500 ms
    When client B disconnects
    And client A publishes "anyone there?" to room:lobby
    Then client A receives "anyone there?" from alice in room:lobby within 500 ms
    When client A disconnects
    Then client A is closed with code 1000

  @allure.label.story:protocol
  Scenario: An application ping is answered with a pong
    Given client A is connected as alice
    When client A sends a ping
    Then client A receives a pong within 200 ms

  @allure.label.story:protocol
  Scenario: A protocol ping is answered with a protocol pong
    Given client A is connected as alice
    When client A sends a protocol ping
    Then client A receives a protocol pong within 200 ms
