@mock
Feature: A client app under test reconnects politely
  wsbdd plays the server (a mock server) and the app under test is the client:
  examples/backoff_client.py, twenty clients on the websockets library's own
  reconnecting connect() iterator. When the server drops every connection and
  refuses new ones for a while, the clients must not come back in one storm:
  their first attempts are spread out, their delays grow, and they differ
  from client to client. Delays are short here so the suite stays fast.

  Background:
    Given a mock server at "/ws"
    And the mock server greets every client with {"type": "welcome"}

  Scenario: Twenty clients connect, say hello and are answered
    When the app under test is started with "python examples/backoff_client.py ${mock_url} --clients 20 --initial-delay 0.5 --min-delay 0.5 --factor 2"
    Then the mock server has 20 connections within 10 s
    And the mock server receives {"type": "hello", "client": "{{string}}"} within 1 s

  Scenario: After a server crash the clients come back spread out, with backoff and jitter
    When the app under test is started with "python examples/backoff_client.py ${mock_url} --clients 20 --initial-delay 0.5 --min-delay 0.5 --factor 2"
    Then the mock server has 20 connections within 10 s
    When the mock server refuses new connections with status 503 for 3 s
    And the mock server drops every connection
    Then every client reconnects within 15 s
    And the reconnections are spread over at least 250 ms
    And the reconnect delays of each client grow at least 1.5 times per attempt
    And the reconnect delays vary by at least 20% between clients
