"""Small AsyncAPI documents for the tests: 2.6 and 3.0, with ``$ref`` across files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

COMMON = {"definitions": {"id": {"type": "string", "pattern": "^o-"}}}
ORDER = {
    "type": "object",
    "required": ["type", "qty"],
    "properties": {
        "type": {"const": "created"},
        "qty": {"type": "integer"},
        "id": {"$ref": "common.json#/definitions/id"},
    },
}

V2 = """
asyncapi: 2.6.0
info: {title: Shop, version: 1.0.0}
channels:
  orders/{user}:
    parameters: {user: {schema: {type: string}}}
    subscribe:
      operationId: receiveOrders
      message:
        oneOf:
          - $ref: "messages/orders.yaml#/OrderCreated"
          - $ref: "#/components/messages/OrderPaid"
    publish:
      operationId: placeOrder
      message: {$ref: "#/components/messages/PlaceOrder"}
components:
  messages:
    OrderPaid:
      name: order.paid
      payload:
        type: object
        required: [type, id]
        properties:
          type: {const: paid}
          id: {$ref: "schemas/common.json#/definitions/id"}
    PlaceOrder:
      messageId: placeOrder
      payload: {type: object, required: [item], properties: {item: {type: string}}}
"""

V3 = """
asyncapi: 3.0.0
info: {title: Shop, version: 1.0.0}
channels:
  orders:
    address: "orders/{user}"
    messages:
      OrderCreated: {$ref: "messages/orders.yaml#/OrderCreated"}
      OrderPaid: {$ref: "#/components/messages/OrderPaid"}
  control:
    address: /ws
    messages:
      PlaceOrder: {$ref: "#/components/messages/PlaceOrder"}
operations:
  receiveOrders:
    action: send
    channel: {$ref: "#/channels/orders"}
  placeOrder:
    action: receive
    channel: {$ref: "#/channels/control"}
    messages: [{$ref: "#/channels/control/messages/PlaceOrder"}]
components:
  messages:
    OrderPaid:
      name: order.paid
      payload:
        schemaFormat: application/schema+json;version=draft-07
        schema:
          type: object
          required: [type, id]
          properties:
            type: {const: paid}
            id: {$ref: "schemas/common.json#/definitions/id"}
    PlaceOrder:
      payload: {type: object, required: [item], properties: {item: {type: string}}}
"""

MESSAGES = """
OrderCreated:
  name: OrderCreated
  payload: {$ref: "../schemas/order.json"}
"""


def write_contract(root: Path, version: str = "3.0") -> Path:
    """``root/api.yaml`` (AsyncAPI ``version``) and the files it refers to."""
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "messages").mkdir(exist_ok=True)
    (root / "schemas" / "common.json").write_text(json.dumps(COMMON))
    (root / "schemas" / "order.json").write_text(json.dumps(ORDER))
    (root / "messages" / "orders.yaml").write_text(textwrap.dedent(MESSAGES))
    path = root / "api.yaml"
    path.write_text(textwrap.dedent(V3 if version == "3.0" else V2))
    return path
