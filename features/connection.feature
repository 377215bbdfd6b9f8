Feature: Connecting, subprotocols and closing
  A client opens a WebSocket to the chat server, agrees on a subprotocol,
  and either side can close the connection with a code and a reason.

  Background:
    Given the server is running

  @allure.label.story:handshake @allure.label.severity:critical
  Scenario: A client with a valid token connects and is welcomed
    Given client A is connected as alice
    Then client A receives {"type": "welcome", "user": "alice"} within 1 s
    And client A stays open for 200 ms

  @allure.label.story:subprotocols
  Scenario: The server picks the client's first supported subprotocol
    Given client A is connected as alice with subprotocols "chat.v2, chat.v1"
    Then client A's subprotocol is "chat.v2"

  @allure.label.story:subprotocols
  Scenario: A client that offers no subprotocol gets none
    Given client A is connected as alice
    Then client A has no subprotocol

  @allure.label.story:subprotocols
  Scenario: A client offering only unknown subprotocols is refused
    When client A connects as alice with subprotocols "mqtt, stomp"
    Then client A's handshake is rejected with status 400

  @allure.label.story:closing
  Scenario: The client closes with its own code and the server carries on
    Given clients A and B are connected as alice and bob
    When client A closes with code 4000 and reason "bye"
    Then client A is closed with code 4000 and reason "bye" within 1 s
    And client B is connected
