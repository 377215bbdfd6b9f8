Feature: Reconnect and resume
  A client that loses its connection comes back, is subscribed again, and
  recovers every message it missed.

  @allure.label.story:resume @allure.label.severity:critical @bug.no_resume
  Scenario: A client that lost its connection recovers the messages it missed
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:resume
    When client B publishes "before the drop" to room:resume
    Then client A receives "before the drop" from bob in room:resume within 1 s
    When client A drops its connection
    And client B publishes 5 messages to room:resume
    And client A reconnects and resumes
    Then client A receives all 5 messages from client B within 3 s

  @allure.label.story:reconnect
  Scenario: A reconnected client is subscribed again
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:again
    When client A reconnects
    And client B publishes "welcome back" to room:again
    Then client A receives "welcome back" from bob in room:again within 1 s
