@mock @own_server
Feature: A client app under test reconnects politely
  wsbdd plays the server (a mock server) and the app under test is the client:
  examples/backoff_client.py, twenty clients on the websockets library's own
  reconnecting connect() iterator. When the server crashes (every connection
  cut) the clients must not come back in one storm: their first attempts are
  spread out and differ from client to client, and while the server refuses
  them their delays grow. Delays are short here so the suite stays fast;
  tests/suite/test_client_app_matrix.py runs these scenarios against a naive
  client that reconnects at once, and each check catches it.

  Background:
    Given a mock server at "/ws"
    And the mock server greets every client with {"type": "welcome"}
    When the app under test is started with "python examples/backoff_client.py ${mock_url} --clients 20 --initial-delay 0.5 --min-delay 0.5 --factor 2"
    Then the mock server has 20 connections within 10 s
    And the mock server receives {"type": "hello", "client": "{{string}}"} within 1 s

  Scenario: After a crash the clients do not come back in one storm
    When the mock server drops every connection
    Then every client reconnects within 5 s
    And the reconnections are spread over at least 250 ms

  Scenario: After a crash each client waits a different time before it comes back
    When the mock server drops every connection
    Then every client reconnects within 5 s
    And the reconnect delays vary by at least 20% between clients

  Scenario: While the server refuses them the clients back off
    When the mock server refuses new connections with status 503 for 3 s
    And the mock server drops every connection
    Then every client reconnects within 15 s
    And the reconnect delays of each client grow at least 1.5 times per attempt
