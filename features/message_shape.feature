Feature: Message shape
  Every message the server pushes is valid against the schemas in
  features/schemas, so client developers can rely on them.

  @allure.label.story:schemas @allure.label.severity:critical @bug.bad_schema
  Scenario: Every pushed message matches the event schemas
    Given clients A and B are connected as alice and bob
    And client A is subscribed to room:shapes
    And client A is subscribed to orders.user-alice
    And client B is subscribed to room:shapes
    When client B publishes "shape check" to room:shapes
    Then client A receives "shape check" from bob in room:shapes within 1 s
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "lamp", "qty": 1}
      """
    Then client A receives {"type": "order.paid"} within 2 s
    And every message received by client A matches schema "events.json"

  @allure.label.story:schemas
  Scenario: A chat message matches its own schema
    Given client A is connected as alice
    And client A is subscribed to room:schema
    When client A publishes "typed" to room:schema
    Then client A receives a message matching schema "message.json" within 1 s
    And the last message of client A has "$.text" equal to "typed"

  @allure.label.story:contract @allure.label.severity:critical @bug.bad_schema
  Scenario: The conversation follows the API's AsyncAPI contract, both ways
    Given the AsyncAPI contract "asyncapi.yaml"
    And clients A and B are connected as alice and bob
    And client A is subscribed to orders.user-alice
    And client A is subscribed to room:contract
    And client B is subscribed to room:contract
    When client B publishes "by the book" to room:contract
    Then client A receives "by the book" from bob in room:contract within 1 s
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "atlas", "qty": 1}
      """
    Then client A receives the message "OrderCreated" within 2 s
    And client A receives the message "OrderPaid" within 2 s
    And every message of this scenario conforms to the AsyncAPI contract
