Feature: Delivery deadline
  Under a steady stream, 95% of messages reach the other subscribers within
  200 ms and 99% within 500 ms, measured from send to arrival.

  @allure.label.story:latency @allure.label.severity:critical @bug.slow_push @bug.silent_drop
  Scenario: The p95 delivery latency stays under 200 ms
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:sla
    And client B is subscribed to room:sla
    When client A publishes 100 messages to room:sla at 100 per second
    Then client B receives all 100 messages from client A within 5 s
    And the p95 delivery latency from client A to client B is below 200 ms
    And the p99 delivery latency from client A to client B is below 500 ms
