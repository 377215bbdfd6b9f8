@allure.label.feature:Chat
Feature: Minimal chat
  Two people in the lobby: what one says, the other hears at once.

  @allure.label.story:delivery @allure.label.severity:critical
  Scenario: Alice says hi and Bob hears it within 500 ms
    Given clients A and B are connected as alice and bob
    When client A sends {"type": "subscribe", "channel": "room:lobby"}
    And client B sends {"type": "subscribe", "channel": "room:lobby"}
    Then client A receives {"type": "subscribed", "channel": "room:lobby"}
    And client B receives {"type": "subscribed", "channel": "room:lobby"}
    When client A sends {"type": "message", "channel": "room:lobby", "text": "hi"}
    Then client B receives within 500 ms:
      """
      {"type": "message", "channel": "room:lobby", "from": "alice", "text": "hi", "id": "{{string}}", "seq": "{{integer}}"}
      """
    When client B disconnects
    And client A sends {"type": "message", "channel": "room:lobby", "text": "still here?"}
    Then client A receives {"type": "message", "from": "alice", "text": "still here?"} within 500 ms
    When client A disconnects
    Then client A is closed with code 1000

  @allure.label.story:protocol
  Scenario: An application ping is answered with a pong
    Given client A is connected as alice
    When client A sends {"type": "ping"}
    Then client A receives {"type": "pong"} within 200 ms

  @allure.label.story:protocol
  Scenario: A protocol ping is answered with a protocol pong
    Given client A is connected as alice
    When client A sends a protocol ping
    Then client A receives a protocol pong within 200 ms
