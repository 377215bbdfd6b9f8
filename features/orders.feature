Feature: Orders pushed after an HTTP request
  Placing an order over HTTP pushes "order.created" then "order.paid" to the
  buyer's private orders channel, each valid against its schema.

  @allure.label.story:http-trigger @allure.label.severity:critical @bug.bad_schema
  Scenario: An order is created, then paid, in order and schema-valid
    Given client A is connected as alice
    And client A is subscribed to orders.user-alice
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "book", "qty": 2}
      """
    Then the response status is 201
    And the response body matches {"status": "created", "item": "book", "qty": 2}
    When I save "$.id" from the response as "order_id"
    Then client A receives, in order, within 2 s:
      """
      {"type": "order.created", "id": "${order_id}"}
      {"type": "order.paid", "id": "${order_id}"}
      """
    And every message received by client A matches schema "events.json"

  @allure.label.story:http-trigger @bug.bad_schema
  Scenario: The created order carries what was ordered
    Given client A is connected as alice
    And client A is subscribed to orders.user-alice
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "pen", "qty": 3}
      """
    Then client A receives a message matching schema "order.created.json" within 1 s
    And the last message of client A has "$.qty" equal to 3
    When I save "$.id" from the last message of client A as "created_id"
    Then client A receives {"type": "order.paid", "id": "${created_id}"} within 1 s

  @allure.label.story:http-trigger
  Scenario: An order without a token is refused
    When I send a POST request to "/orders" with:
      """
      {"item": "book", "qty": 1}
      """
    Then the response status is 401
