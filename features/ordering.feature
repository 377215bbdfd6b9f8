Feature: Ordering
  Messages on a channel reach every subscriber in the order they were sent.

  @allure.label.story:order @allure.label.severity:critical @bug.out_of_order @bug.silent_drop
  Scenario: Fifty messages arrive in the order they were published
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:ordered
    And client B is subscribed to room:ordered
    When client A publishes 50 messages to room:ordered
    Then client B receives all 50 messages from client A within 5 s
    And client B receives the messages from client A in the order they were published
