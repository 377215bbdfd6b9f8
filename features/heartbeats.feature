Feature: Heartbeats
  The server pings idle connections, keeps the ones that answer and closes
  the ones that do not (the local server pings every second).

  @allure.label.story:keepalive @bug.no_heartbeat
  Scenario: The server checks idle connections with protocol pings
    Given client A is connected as alice
    When client A stays idle for 1.5 s
    Then client A receives a protocol ping within 2 s
    And client A is connected

  @allure.label.story:dead-peers @allure.label.severity:critical @bug.no_heartbeat
  Scenario: A client that stops answering pings is disconnected
    Given client A is connected as alice
    And client A does not answer pings
    Then client A is closed with code 1011 within 5 s

  @allure.label.story:keepalive
  Scenario: An idle client that answers pings stays connected
    Given client A is connected as alice
    Then client A stays open for 2.5 s
