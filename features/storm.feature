Feature: Reconnect storm
  After a network blip every client reconnects at the same moment; the
  server lets all of them back in.

  @slow @allure.label.story:storm @allure.label.severity:critical @bug.fragile_under_storm
  Scenario: Hundreds of clients reconnect at once
    Given 300 clients are connected as carol and subscribed to room:storm at 90 per second
    When the 300 clients reconnect at once
    Then all 300 clients are connected within 10 s
