Feature: Authentication
  Only clients with a valid token may talk to the server. A missing token is
  "unauthorized" (4401), a wrong one is "forbidden" (4403).

  @allure.label.story:tokens @allure.label.severity:blocker @bug.wrong_close_code
  Scenario: A client without a token is closed with 4401
    When client A connects with no token
    Then client A is closed with code 4401 and reason "unauthorized" within 2 s

  @allure.label.story:tokens @allure.label.severity:blocker
  Scenario: A client with an unknown token is closed with 4403
    When client A connects with token "not-a-real-token"
    Then client A is closed with code 4403 within 2 s

  @allure.label.story:tokens
  Scenario: A client with a good token stays open
    Given client A is connected as bob
    Then client A stays open for 500 ms

  @allure.label.story:tokens
  Scenario: The token may travel in the Authorization header
    Given client A is connected with headers:
      | header        | value               |
      | Authorization | Bearer ${WSBDD_TOKEN_CAROL} |
    Then client A receives {"type": "welcome", "user": "carol"}
