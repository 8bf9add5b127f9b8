"""An error in the HTTP envelope every JSON response of the gateway uses (its schema is
`apex_gateway.openapi`'s `Envelope`; README, "Authentication, accounts, limits, idempotency")."""

from pydantic import BaseModel


class FieldError(BaseModel):
    field: str
    message: str
    type: str
