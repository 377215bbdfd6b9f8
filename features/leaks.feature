Feature: Leaks
  Thousands of short connections come and go; afterwards the server holds
  no connection, no subscription and no extra memory for them.

  @serial @slow @allure.label.story:memory @allure.label.severity:critical @bug.leak_on_disconnect
  Scenario: 10,000 connections come and go without leaking
    Given the server is running
    When I record the server's memory
    And 10000 clients connect as carol and disconnect, 200 at a time
    Then the server metric "connections" is 0
    And the server metric "subscriptions" is 0
    And the server's memory grew by less than 50 MB

  @serial @allure.label.story:metrics @bug.leak_on_disconnect
  Scenario: Subscribers that leave free their subscriptions
    Given 50 clients are connected as carol and subscribed to room:leak
    When all clients disconnect
    Then the server metric "subscriptions" is 0
