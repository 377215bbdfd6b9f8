Feature: Subscriptions
  A client hears a channel only while it is subscribed to it, never hears
  another room, and cannot open someone else's private channels.

  @allure.label.story:lifecycle @allure.label.severity:critical
  Scenario: Messages flow after subscribing and stop after unsubscribing
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:news
    And client B is subscribed to room:news
    When client A publishes "first" to room:news
    Then client B receives "first" from alice in room:news within 500 ms
    When client B unsubscribes from room:news
    And client A publishes "second" to room:news
    Then client A receives "second" from alice in room:news within 500 ms
    And client B receives no message matching {"type": "message"} within 300 ms

  @allure.label.story:isolation @allure.label.severity:critical @bug.wrong_room
  Scenario: Nothing from room:general leaks into room:lobby
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:general
    And client B is subscribed to room:lobby
    When client A publishes "general chatter" to room:general
    Then client A receives "general chatter" from alice in room:general within 500 ms
    And client B receives no message matching {"type": "message"} within 300 ms

  @allure.label.story:authorization @allure.label.severity:blocker @bug.no_ownership_check
  Scenario: Private channels are refused to others
    Given clients A and B are connected as alice and bob
    When client B subscribes to user:alice:private
    Then client B's subscription to user:alice:private is rejected
    When client B subscribes to orders.user-alice
    Then client B's subscription to orders.user-alice is rejected
    And client A is subscribed to user:alice:private
