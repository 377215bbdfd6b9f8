Feature: Slow consumers
  A client that stops reading is disconnected with 1013 before it slows
  anybody else down; the others keep receiving everything.

  @allure.label.story:backpressure @allure.label.severity:critical @bug.no_backpressure @bug.silent_drop
  Scenario: A client that stops reading is cut off, and nobody else suffers
    Given clients A, B and C are connected as alice, bob and carol
    And client A is subscribed to room:firehose
    And client C is subscribed to room:firehose
    When client A stops reading
    And client B publishes 2000 messages to room:firehose at 1000 per second
    Then client A is closed with code 1013 within 5 s
    And client C receives all 2000 messages from client B within 10 s
