Feature: Silent drops
  A connection must never vanish without a close frame while it is in use;
  when a client's network does vanish, the others are told.

  @allure.label.story:stability @allure.label.severity:critical @bug.silent_drop
  Scenario: A busy subscriber keeps its connection
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:busy
    When client B publishes 20 messages to room:busy
    Then client A receives all 20 messages from client B within 2 s
    And client A stays open for 300 ms

  @allure.label.story:presence @bug.leak_on_disconnect
  Scenario: A client whose network vanishes is reported as gone
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:lost
    And client B is subscribed to room:lost
    When client B drops its connection
    Then client A receives {"type": "presence", "user": "bob", "status": "left"} within 2 s
